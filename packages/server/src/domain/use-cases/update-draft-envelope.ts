import { hashAccessCode, newId } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { loadEnvelopeDetails, type EnvelopeDetails } from '../rows.ts';
import { inTransaction } from '../transaction.ts';
import { getEnvelope } from './get-envelope.ts';
import type { Actor, RequestOrigin } from '../types.ts';
import { LIMITS, optionalText, requireLine } from '../validation.ts';
import { checkRecipients, parseExpiry, type NewRecipient } from './create-envelope.ts';

/** A recipient of an edited draft: with `id` an existing one (its placed fields stay), without a new one. */
export interface DraftRecipientInput extends NewRecipient {
  id?: string;
}

/** What update-draft-envelope needs; absent properties stay as they are. */
export interface UpdateDraftEnvelopeInput {
  organizationId: string;
  envelopeId: string;
  actor: Actor;
  origin?: RequestOrigin;
  name?: string;
  message?: string;
  /** null or '' removes the expiry. */
  expiresAt?: string | null;
  /** The whole list, in the new order; recipients left out are removed with their fields. */
  recipients?: DraftRecipientInput[];
}

/** The state columns of a recipient who has not been invited yet (a new row of a draft). */
export const UNINVITED_RECIPIENT = {
  failed_attempts: 0,
  status: 'pending',
  link_token_hash: null,
  notified_at: null,
  viewed_at: null,
  signed_at: null,
  declined_at: null,
  decline_reason: null,
  locked_at: null,
  signed_ip: null,
  signed_user_agent: null,
} as const;

/** Throws ENVELOPE_NOT_DRAFT unless the envelope is still a draft (sent envelopes never change). */
export function requireDraft(details: EnvelopeDetails): void {
  if (details.envelope.status !== 'draft')
    throw new AppError('ENVELOPE_NOT_DRAFT', 'only a draft can be changed', { status: details.envelope.status });
}

/**
 * Changes a draft's name, message, expiry and recipients (everything is checked before anything is
 * written). An existing recipient keeps its access code unless a new one is given; a new recipient
 * without a code gets a generated one (returned once, as on creation). One transaction, one
 * `envelope.updated` event naming what changed (never a code).
 */
export async function updateDraftEnvelope(
  ctx: DomainContext,
  input: UpdateDraftEnvelopeInput,
): Promise<EnvelopeDetails> {
  const now = ctx.clock.now();
  const details = await getEnvelope(ctx, input);
  requireDraft(details);
  const { envelope } = details;
  const changes: string[] = [];
  const name = input.name === undefined ? envelope.name : requireLine(input.name, 'name', LIMITS.envelopeName);
  if (name !== envelope.name) changes.push('name');
  const message =
    input.message === undefined ? envelope.message : optionalText(input.message, 'message', LIMITS.message);
  if (message !== envelope.message) changes.push('message');
  const expiresAt = input.expiresAt === undefined ? envelope.expiresAt : parseExpiry(input.expiresAt, now);
  if ((expiresAt?.getTime() ?? null) !== (envelope.expiresAt?.getTime() ?? null)) changes.push('expiresAt');

  const plan = input.recipients === undefined ? undefined : await planRecipients(ctx, details, input.recipients);
  if (plan) changes.push('recipients');

  const generatedAccessCodes: Record<string, string> = {};
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const updated = await tx
      .updateTable('envelopes')
      .set({ name, message, expires_at: expiresAt?.toISOString() ?? null })
      .where('id', '=', envelope.id)
      .where('status', '=', 'draft')
      .executeTakeFirst();
    // Sent (or canceled) by another request meanwhile.
    if (Number(updated.numUpdatedRows) !== 1) throw new AppError('ENVELOPE_NOT_DRAFT', 'only a draft can be changed');
    if (plan) {
      if (plan.removed.length > 0) {
        await tx.deleteFrom('envelope_fields').where('recipient_id', 'in', plan.removed).execute();
        await tx.deleteFrom('recipients').where('id', 'in', plan.removed).execute();
      }
      // Signing orders are unique per envelope: move the kept rows out of the way before reordering.
      await tx
        .updateTable('recipients')
        .set((eb) => ({ signing_order: eb('signing_order', '+', 100_000) }))
        .where('envelope_id', '=', envelope.id)
        .execute();
      for (const [position, r] of plan.recipients.entries()) {
        const codeColumns = r.keepCode
          ? {}
          : {
              // A contact's registered code (登録済みアクセスコード) comes hashed and is never kept in clear.
              access_code_hash: r.codeHash ?? (r.code === null ? null : hashAccessCode(r.code, ctx.keys.accessCode)),
              access_code_sealed:
                r.code === null ? null : await ctx.secrets.sealSecret('access-code', r.code, r.id, tx),
            };
        const columns = {
          signing_order: r.order,
          name: r.name,
          email: r.email,
          language: r.language,
          auth: r.auth,
          role: r.role,
          position,
          user_id: r.userId,
          // The edit form does not send the contact: a kept recipient keeps its registration link.
          ...(r.contactId !== undefined ? { address_book_contact_id: r.contactId } : {}),
          ...codeColumns,
        };
        if (r.existing) {
          await tx.updateTable('recipients').set(columns).where('id', '=', r.id).execute();
        } else {
          await tx
            .insertInto('recipients')
            .values({
              id: r.id,
              envelope_id: envelope.id,
              ...columns,
              access_code_hash: codeColumns.access_code_hash ?? null,
              access_code_sealed: codeColumns.access_code_sealed ?? null,
              ...UNINVITED_RECIPIENT,
            })
            .execute();
        }
        if (r.generatedCode !== undefined && !r.keepCode) generatedAccessCodes[r.id] = r.generatedCode;
      }
    }
    await recordEvent(tx, {
      organizationId: envelope.organizationId,
      envelopeId: envelope.id,
      actor: input.actor,
      action: 'envelope.updated',
      origin: input.origin,
      at: now,
      details: {
        changes,
        ...(plan
          ? {
              recipients: plan.recipients.map((r) => ({
                name: r.name,
                email: r.email,
                order: r.order,
                auth: r.auth,
                role: r.role,
              })),
              removedRecipients: plan.removed.length,
              recipientsWithNewCodes: plan.recipients.filter((r) => !r.keepCode && r.code !== null).length,
            }
          : {}),
      },
    });
  });
  const after = await loadEnvelopeDetails(ctx.db, input.organizationId, input.envelopeId);
  return { ...after, generatedAccessCodes };
}

/** The checked recipient list: which rows are kept (by id), added, removed, and whose code stays. */
async function planRecipients(ctx: DomainContext, details: EnvelopeDetails, list: DraftRecipientInput[]) {
  if (!Array.isArray(list) || list.length === 0)
    throw new AppError('NO_RECIPIENTS', 'an envelope needs at least one recipient');
  if (list.length > LIMITS.recipients)
    throw new AppError('VALIDATION_FAILED', `at most ${LIMITS.recipients} recipients`, {
      field: 'recipients',
      max: LIMITS.recipients,
    });
  const byId = new Map(details.recipients.map((r) => [r.id, r]));
  const seen = new Set<string>();
  for (const [i, r] of list.entries()) {
    if (r?.id === undefined) continue;
    if (typeof r.id !== 'string' || !byId.has(r.id) || seen.has(r.id))
      throw new AppError('VALIDATION_FAILED', `recipients[${i}].id is not a recipient of this draft`, {
        field: `recipients[${i}].id`,
      });
    seen.add(r.id);
  }
  const checked = await checkRecipients(ctx, details.envelope.organizationId, list);
  const recipients = checked.map((c, i) => {
    const previous = list[i]!.id === undefined ? undefined : byId.get(list[i]!.id!);
    const codeGiven = list[i]!.accessCode !== undefined && list[i]!.accessCode !== null && list[i]!.accessCode !== '';
    // An existing recipient who still uses a code and was given none keeps the one they were told.
    const keepCode =
      previous !== undefined && previous.auth === 'access_code' && c.auth === 'access_code' && !codeGiven
        ? previous.accessCodeHash !== null
        : false;
    return { ...c, id: previous?.id ?? newId(), existing: previous !== undefined, keepCode };
  });
  const removed = details.recipients.filter((r) => !seen.has(r.id)).map((r) => r.id);
  return { recipients, removed };
}
