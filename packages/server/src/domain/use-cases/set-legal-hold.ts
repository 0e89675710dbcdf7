import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { activeLegalHold } from '../retention/retention-policy.ts';
import { findRetentionSubject, holdSubjects } from '../retention/retention-subject.ts';
import { newId } from '../../security/tokens.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';

/** A reason is required, one line or a short paragraph. */
export const LEGAL_HOLD_REASON_MAX = 500;

function checkReason(reason: unknown): string {
  const text = typeof reason === 'string' ? reason.normalize('NFC').trim() : '';
  if (text.length === 0 || text.length > LEGAL_HOLD_REASON_MAX)
    throw new AppError('VALIDATION_FAILED', `reason: 1–${LEGAL_HOLD_REASON_MAX} characters`, { field: 'reason' });
  return text;
}

interface HoldInput {
  organizationId: string;
  subjectType: 'contract' | 'envelope';
  subjectId: string;
  reason: unknown;
  actor: Actor;
  origin?: RequestOrigin;
}

/**
 * Places a legal hold (訴訟ホールド) on a contract or an envelope (administrators): while it is active
 * the retention job shreds neither it nor the envelope/contract linked to it. One active hold for the
 * pair (LEGAL_HOLD_EXISTS); nothing to hold once shredded (DOCUMENT_SHREDDED). Event `legal-hold.placed`.
 */
export async function placeLegalHold(ctx: DomainContext, input: HoldInput): Promise<{ id: string; placedAt: string }> {
  const reason = checkReason(input.reason);
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const subject = await findRetentionSubject(tx, {
      organizationId: input.organizationId,
      type: input.subjectType,
      id: input.subjectId,
    });
    if (subject.shreddedAt !== null)
      throw new AppError('DOCUMENT_SHREDDED', 'the documents were shredded at the end of their retention period', {
        shreddedAt: subject.shreddedAt,
      });
    // A hold on the linked envelope or register entry already keeps this one.
    if (await activeLegalHold(tx, holdSubjects(subject)))
      throw new AppError('LEGAL_HOLD_EXISTS', 'a legal hold is already active on it');
    const id = newId();
    const at = ctx.clock.now();
    await tx
      .insertInto('legal_holds')
      .values({
        id,
        organization_id: input.organizationId,
        subject_type: subject.type,
        subject_id: subject.id,
        reason,
        placed_by_user_id: input.actor.type === 'user' ? input.actor.id : null,
        placed_at: at.toISOString(),
        released_at: null,
        released_by_user_id: null,
        release_reason: null,
      })
      .execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      envelopeId: subject.envelopeId,
      actor: input.actor,
      action: 'legal-hold.placed',
      origin: input.origin,
      at,
      details: { holdId: id, subjectType: subject.type, subjectId: subject.id, title: subject.title, reason },
    });
    return { id, placedAt: at.toISOString() };
  });
}

/**
 * Releases the active legal hold of a contract or envelope — placed on it or on its linked envelope or
 * register entry — with a reason (NO_LEGAL_HOLD when none). Event `legal-hold.released`.
 */
export async function releaseLegalHold(ctx: DomainContext, input: HoldInput): Promise<void> {
  const reason = checkReason(input.reason);
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const subject = await findRetentionSubject(tx, {
      organizationId: input.organizationId,
      type: input.subjectType,
      id: input.subjectId,
    });
    // The hold may have been placed on the linked envelope or register entry: it is the one shown here.
    const hold = await activeLegalHold(tx, holdSubjects(subject));
    if (!hold) throw new AppError('NO_LEGAL_HOLD', 'no legal hold is active on it');
    const at = ctx.clock.now();
    await tx
      .updateTable('legal_holds')
      .set({
        released_at: at.toISOString(),
        released_by_user_id: input.actor.type === 'user' ? input.actor.id : null,
        release_reason: reason,
      })
      .where('id', '=', hold.id)
      .execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      envelopeId: subject.envelopeId,
      actor: input.actor,
      action: 'legal-hold.released',
      origin: input.origin,
      at,
      details: {
        holdId: hold.id,
        subjectType: hold.subject_type,
        subjectId: hold.subject_id,
        title: subject.title,
        reason,
        placedAt: hold.placed_at,
      },
    });
  });
}
