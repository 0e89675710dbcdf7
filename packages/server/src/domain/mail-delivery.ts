import type { DbOrTx } from '../ports/database.ts';
import type { OutgoingMail } from '../ports/mailer.ts';
import type { JobCompletion } from '../ports/job-queue.ts';
import type { DomainContext } from './domain-context.ts';
import { recordEvent, type EventAction } from './record-event.ts';
import { inTransaction } from './transaction.ts';
import type { Envelope } from './types.ts';

/** Events of an envelope with one action, details parsed (envelopes have tens of events, not thousands). */
export async function envelopeEvents(
  db: DbOrTx,
  envelopeId: string,
  action: EventAction,
): Promise<Array<Record<string, unknown>>> {
  const rows = await db
    .selectFrom('events')
    .select('details')
    .where('envelope_id', '=', envelopeId)
    .where('action', '=', action)
    .execute();
  return rows.map((r) => JSON.parse(r.details) as Record<string, unknown>);
}

/** Whether a mail with this idempotency key was sent (or put in the outbox) already. */
export async function isMailSent(db: DbOrTx, idempotencyKey: string): Promise<boolean> {
  return (
    (await db.selectFrom('mails').select('id').where('idempotency_key', '=', idempotencyKey).executeTakeFirst()) !==
    undefined
  );
}

/**
 * Sends a mail at most once per idempotency key and records its `mail.*.sent` event once.
 *
 * `prepare` runs only when the mail has not gone out yet: it may write what the mail needs (a new link
 * token's hash) because the token itself exists only in this mail. A retry after a crash between the
 * send and the event finds the mail recorded, skips `prepare` (so the sent link stays valid) and only
 * records the event.
 */
export async function deliverOnce(
  ctx: DomainContext,
  options: {
    key: string;
    envelope: Envelope;
    action: EventAction;
    details: Record<string, unknown>;
    /** The job that sends it, marked done in the event's transaction (the last write of the job). */
    job?: JobCompletion;
    prepare: () => Promise<OutgoingMail>;
  },
): Promise<void> {
  if (!(await isMailSent(ctx.db, options.key))) {
    const mail = await options.prepare();
    await ctx.mailer.send({ ...mail, idempotencyKey: options.key });
  }
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const recorded = await envelopeEvents(tx, options.envelope.id, options.action);
    if (!recorded.some((d) => d.mailKey === options.key))
      await recordEvent(tx, {
        organizationId: options.envelope.organizationId,
        envelopeId: options.envelope.id,
        actor: { type: 'system', id: null },
        action: options.action,
        at: ctx.clock.now(),
        details: { ...options.details, mailKey: options.key },
      });
    await options.job?.finishIn?.(tx);
  });
}

/** Who is told about an envelope on the sender's side: its creator, or the organisation's admins for API-created ones. */
export async function senderUsers(
  db: DbOrTx,
  envelope: Envelope,
): Promise<Array<{ id: string; name: string; email: string }>> {
  if (envelope.createdByUserId) {
    const user = await db
      .selectFrom('users')
      .select(['id', 'name', 'email'])
      .where('id', '=', envelope.createdByUserId)
      .executeTakeFirst();
    if (user) return [user];
  }
  return db
    .selectFrom('users')
    .innerJoin('memberships', 'memberships.user_id', 'users.id')
    .select(['users.id', 'users.name', 'users.email'])
    .where('memberships.organization_id', '=', envelope.organizationId)
    .where('memberships.role', '=', 'admin')
    .where('memberships.deactivated_at', 'is', null)
    .orderBy('users.email')
    .execute();
}

/** An organisation's active administrators (who are told of what needs an administrator). */
export async function activeAdministrators(
  db: DbOrTx,
  organizationId: string,
): Promise<Array<{ id: string; name: string; email: string }>> {
  return db
    .selectFrom('users')
    .innerJoin('memberships', 'memberships.user_id', 'users.id')
    .select(['users.id', 'users.name', 'users.email'])
    .where('memberships.organization_id', '=', organizationId)
    .where('memberships.role', '=', 'admin')
    .where('memberships.deactivated_at', 'is', null)
    .orderBy('users.email')
    .execute();
}
