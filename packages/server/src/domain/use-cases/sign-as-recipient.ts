import type { DomainContext } from '../domain-context.ts';
import {
  assertTurnOf,
  envelopeTransition,
  recipientStatusesAllowing,
  recipientTransition,
} from '../envelope-machine.ts';
import { checkFieldValues, loadFields } from '../fields/envelope-fields.ts';
import { recordEvent } from '../record-event.ts';
import { loadDetailsOf, toRecipient } from '../rows.ts';
import {
  authenticateSignerRecipient,
  contextOfRecipient,
  loadEnvelopeWithSender,
  signerView,
  withSender,
  type SignerContext,
  type SignerView,
} from '../signer-access.ts';
import { inTransaction } from '../transaction.ts';
import type { Recipient, RecipientAuth, RequestOrigin } from '../types.ts';
import { assertSignerUsable } from './get-signer-view.ts';

/** How a recipient was authenticated, as written in the event and the signature's /Reason. */
export function authDescription(auth: RecipientAuth): string {
  return auth === 'login' ? 'email + sign-in' : 'email + access code';
}

/**
 * 署名手続きを完了する: in ONE transaction checks that the envelope is active and it is this recipient's
 * turn, marks the recipient signed with time, IP and user agent, records `recipient.signed` (who, e-mail,
 * authentication, IP, user agent, document hashes, the values of their fields — a required field left
 * empty refuses the whole step) and queues the job that applies the platform
 * signature. A double click, a retry or a second tab finds the recipient already signed and returns
 * the same view without queueing anything.
 */
export async function signAsRecipient(
  ctx: DomainContext,
  input: {
    token: string;
    sessionToken: string | undefined;
    origin?: RequestOrigin;
    /** Values of this recipient's fields by field id (text: string, checkbox: boolean). */
    fieldValues?: Record<string, unknown>;
  },
): Promise<SignerView> {
  // One statement authenticates (link + session); the envelope is read once, under the write lock.
  const authenticated = await authenticateSignerRecipient(ctx, ctx.db, input.token, input.sessionToken);
  const recipientId = authenticated.id;
  const now = ctx.clock.now();
  if (authenticated.status === 'signed') {
    // A double click, a retry, a second tab: read only, no write lock.
    const signer = await contextOfRecipient(ctx.db, authenticated);
    assertSignerUsable(ctx, signer);
    return signerView(signer, now);
  }
  // The view answers with the state this transaction saw and wrote (no second round of reads after it).
  const after = await inTransaction(ctx.db, ctx.dialect, async (tx): Promise<SignerContext> => {
    // Everything the checks and the change need, read under the write lock: they see the same state. The
    // sender's contact (whom to ask, on the done page) comes in the envelope's statement: no read after
    // the commit.
    const { row: envelopeRow, sender } = await loadEnvelopeWithSender(tx, authenticated.envelopeId, {
      forUpdate: ctx.dialect === 'postgres',
    });
    const details = await loadDetailsOf(tx, envelopeRow);
    const { envelope, recipients, documents } = details;
    const me = recipients.find((r) => r.id === recipientId)!;
    const seen = (recipient: Recipient) =>
      withSender(
        { ...details, recipients: recipients.map((r) => (r.id === recipient.id ? recipient : r)) },
        recipient,
        sender,
      );
    assertSignerUsable(ctx, { envelope, recipient: me });
    if (me.status === 'signed') return seen(me);
    envelopeTransition(envelope, 'sign', now);
    const next = recipientTransition(me, 'sign');
    assertTurnOf(recipients, me);
    const myFields = (await loadFields(tx, envelope.id)).filter((f) => f.recipientId === recipientId);
    const values = checkFieldValues(myFields, input.fieldValues, {
      signerName: me.name,
      signedAt: now,
      timeZone: ctx.config.timeZone,
      language: me.language,
    });
    const signed = await tx
      .updateTable('recipients')
      .set({
        status: next,
        signed_at: now.toISOString(),
        signed_ip: input.origin?.ip ?? null,
        signed_user_agent: input.origin?.userAgent ?? null,
      })
      .where('id', '=', recipientId)
      .where('status', 'in', recipientStatusesAllowing('sign'))
      .returningAll()
      .executeTakeFirst();
    if (signed === undefined) return seen(me);
    for (const [id, value] of values)
      await tx
        .updateTable('envelope_fields')
        .set({ value, filled_at: now.toISOString() })
        .where('id', '=', id)
        .execute();
    await recordEvent(tx, {
      organizationId: envelope.organizationId,
      envelopeId: envelope.id,
      actor: { type: 'recipient', id: recipientId },
      action: 'recipient.signed',
      origin: input.origin,
      at: now,
      details: {
        name: me.name,
        email: me.email,
        auth: authDescription(me.auth),
        documents: documents.map((d) => ({ id: d.id, name: d.name, sha256: d.sha256Current })),
        ...(myFields.length > 0
          ? { fields: myFields.map((f) => ({ id: f.id, kind: f.kind, page: f.page, value: values.get(f.id) ?? '' })) }
          : {}),
      },
    });
    await ctx.jobs.enqueue(tx, 'envelope.sign', { recipientId }, { dedupeKey: `sign:${recipientId}` });
    return seen(toRecipient(signed));
  });
  return signerView(after, now);
}
