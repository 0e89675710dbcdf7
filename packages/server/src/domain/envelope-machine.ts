/*
 * The envelope state machine (issue 11 part 8b): the envelope's and each recipient's states, every event
 * that moves them, and the rules of turn (signing order groups, CC). Pure: no database, no clock of its
 * own. Every use case asks it before it changes a status, and writes the status it returns; a refused
 * event throws the AppError whose stable code the HTTP layer maps.
 *
 * Envelope:  draft ─send→ sent ─complete→ completed
 *              │            ├─decline→ declined
 *              └─cancel─────┼─cancel→ canceled
 *                           └─expire→ expired
 * 稟議 (issue 13 part 3): draft ─submit→ pending_approval (承認待ち) ─release→ sent (the last approval);
 *   pending_approval ─reject→ draft (差し戻し), ─withdraw→ draft (取り下げ), ─cancel→ canceled;
 *   approve (not the last one) and reassign keep it pending_approval. No mail leaves before release.
 * Recipient (role signer): pending ─notify→ notified ─view→ viewed ─sign→ signed
 *                          notified|viewed ─decline→ declined, ─lock→ locked ─unlock→ (back where it was)
 * A CC recipient (role cc) stays `pending`: it takes no event and is mailed only at completion.
 */
import { AppError, type AppErrorCode } from './app-error.ts';
import { effectiveStatus } from './envelope-state.ts';
import type { Envelope, EnvelopeStatus, Recipient, RecipientStatus } from './types.ts';

/** What can happen to an envelope (the recipient-level events are allowed only while it is active). */
export const ENVELOPE_EVENTS = [
  'edit',
  'send',
  'notify',
  'view',
  'sign',
  'decline',
  'lock',
  'unlock',
  'remind',
  'cancel',
  'expire',
  'complete',
  'submit',
  'approve',
  'reject',
  'withdraw',
  'reassign',
  'release',
] as const;
export type EnvelopeEvent = (typeof ENVELOPE_EVENTS)[number];

/** What can happen to a recipient. */
export const RECIPIENT_EVENTS = ['notify', 'remind', 'view', 'sign', 'decline', 'lock', 'unlock'] as const;
export type RecipientEvent = (typeof RECIPIENT_EVENTS)[number];

export const ENVELOPE_STATUSES: readonly EnvelopeStatus[] = [
  'draft',
  'pending_approval',
  'sent',
  'completed',
  'declined',
  'canceled',
  'expired',
];
export const RECIPIENT_STATUSES: readonly RecipientStatus[] = [
  'pending',
  'notified',
  'viewed',
  'signed',
  'declined',
  'locked',
];

/** Where a new envelope and its recipients start. */
export const INITIAL_ENVELOPE_STATUS: EnvelopeStatus = 'draft';
export const INITIAL_RECIPIENT_STATUS: RecipientStatus = 'pending';

/** The envelope's table: the state an event leads to; an event missing from a row is refused. */
const ENVELOPE_TABLE: Record<EnvelopeStatus, Partial<Record<EnvelopeEvent, EnvelopeStatus>>> = {
  // A draft's recipients may get a new access code before sending (unlock).
  draft: { edit: 'draft', send: 'sent', submit: 'pending_approval', cancel: 'canceled', unlock: 'draft' },
  // Frozen while the approvers decide: no edit, no mail to any recipient.
  pending_approval: {
    approve: 'pending_approval',
    reassign: 'pending_approval',
    release: 'sent',
    reject: 'draft',
    withdraw: 'draft',
    cancel: 'canceled',
  },
  sent: {
    notify: 'sent',
    view: 'sent',
    sign: 'sent',
    lock: 'sent',
    unlock: 'sent',
    remind: 'sent',
    decline: 'declined',
    cancel: 'canceled',
    expire: 'expired',
    complete: 'completed',
  },
  completed: {},
  declined: {},
  canceled: {},
  expired: {},
};

/** `restore`: back to the state before the lock (viewed, notified or pending, by the recorded times). */
type RecipientTarget = RecipientStatus | 'restore';
type RecipientCell = RecipientTarget | { refuse: AppErrorCode };

const notYourTurn = { refuse: 'NOT_YOUR_TURN' } as const;
const alreadySigned = { refuse: 'ALREADY_SIGNED' } as const;
const notActive = { refuse: 'ENVELOPE_NOT_ACTIVE' } as const;
const locked = { refuse: 'ACCESS_CODE_LOCKED' } as const;

/**
 * A signer's table, complete (every state × event is either a target or a refusal with its code).
 * Signed and declined recipients keep their status when wrong codes pile up (the attempt count alone
 * keeps them out), and view/unlock change nothing for them.
 */
const RECIPIENT_TABLE: Record<RecipientStatus, Record<RecipientEvent, RecipientCell>> = {
  pending: {
    notify: 'notified',
    remind: notYourTurn,
    view: 'viewed',
    sign: notYourTurn,
    decline: notYourTurn,
    lock: 'locked',
    unlock: 'pending',
  },
  notified: {
    notify: 'notified',
    remind: 'notified',
    view: 'viewed',
    sign: 'signed',
    decline: 'declined',
    lock: 'locked',
    unlock: 'notified',
  },
  viewed: {
    notify: 'viewed',
    remind: 'viewed',
    view: 'viewed',
    sign: 'signed',
    decline: 'declined',
    lock: 'locked',
    unlock: 'viewed',
  },
  signed: {
    notify: alreadySigned,
    remind: alreadySigned,
    view: 'signed',
    sign: alreadySigned,
    decline: alreadySigned,
    lock: 'signed',
    unlock: 'signed',
  },
  declined: {
    notify: notActive,
    remind: notActive,
    view: 'declined',
    sign: notActive,
    decline: 'declined',
    lock: 'declined',
    unlock: 'declined',
  },
  locked: {
    notify: locked,
    remind: locked,
    view: locked,
    sign: locked,
    decline: locked,
    lock: 'locked',
    unlock: 'restore',
  },
};

const REFUSAL_MESSAGES: Partial<Record<AppErrorCode, string>> = {
  ENVELOPE_NOT_DRAFT: 'only a draft can be sent',
  ENVELOPE_NOT_ACTIVE: 'the envelope is no longer active',
  APPROVAL_NOT_PENDING: 'the envelope is not waiting for approval',
  NOT_YOUR_TURN: 'an earlier recipient has not signed yet',
  ALREADY_SIGNED: 'the recipient has already signed',
  ACCESS_CODE_LOCKED: 'too many wrong access codes; the sender can unlock the link',
  RECIPIENT_IS_CC: 'a CC recipient receives the completion mail only and never signs',
};

function refuse(code: AppErrorCode, details: Record<string, unknown>): never {
  throw new AppError(code, REFUSAL_MESSAGES[code] ?? code, details);
}

/**
 * The envelope's next state after `event`, or throws (edit, send or submit of a non-draft: ENVELOPE_NOT_DRAFT;
 * an approval event on an envelope not waiting for approval: APPROVAL_NOT_PENDING; anything else on an
 * envelope that is not active: ENVELOPE_NOT_ACTIVE). A sent envelope past its expiry date is
 * already expired for every event but `expire` and `complete` (the sweep records it; signatures given in
 * time are still sealed).
 */
export function envelopeTransition(
  envelope: Pick<Envelope, 'status' | 'expiresAt'>,
  event: EnvelopeEvent,
  now: Date,
): EnvelopeStatus {
  const status = event === 'expire' || event === 'complete' ? envelope.status : effectiveStatus(envelope, now);
  const next = ENVELOPE_TABLE[status][event];
  if (next === undefined) refuse(refusalOf(event), { status, event });
  return next;
}

const APPROVAL_EVENTS: ReadonlySet<EnvelopeEvent> = new Set(['approve', 'reject', 'withdraw', 'reassign', 'release']);

/** The code of a refused envelope event. */
function refusalOf(event: EnvelopeEvent): AppErrorCode {
  if (event === 'send' || event === 'edit' || event === 'submit') return 'ENVELOPE_NOT_DRAFT';
  return APPROVAL_EVENTS.has(event) ? 'APPROVAL_NOT_PENDING' : 'ENVELOPE_NOT_ACTIVE';
}

/** Whether the envelope takes `event` now (envelopeTransition without the throw). */
export function envelopeAllows(envelope: Pick<Envelope, 'status' | 'expiresAt'>, event: EnvelopeEvent, now: Date) {
  try {
    envelopeTransition(envelope, event, now);
    return true;
  } catch {
    return false;
  }
}

/** The statuses from which `event` is taken (for conditional updates: `where status in (…)`). */
export function envelopeStatusesAllowing(event: EnvelopeEvent): EnvelopeStatus[] {
  return ENVELOPE_STATUSES.filter((s) => ENVELOPE_TABLE[s][event] !== undefined);
}

/** The recipient's next state after `event`, or throws with the table's code (a CC: RECIPIENT_IS_CC). */
export function recipientTransition(
  recipient: Pick<Recipient, 'status' | 'role' | 'notifiedAt' | 'viewedAt'>,
  event: RecipientEvent,
): RecipientStatus {
  if (recipient.role === 'cc') refuse('RECIPIENT_IS_CC', { event });
  const cell = RECIPIENT_TABLE[recipient.status][event];
  if (typeof cell === 'object') refuse(cell.refuse, { status: recipient.status, event });
  if (cell !== 'restore') return cell;
  return recipient.viewedAt ? 'viewed' : recipient.notifiedAt ? 'notified' : 'pending';
}

/** The statuses from which a signer takes `event` (for conditional updates). */
export function recipientStatusesAllowing(event: RecipientEvent): RecipientStatus[] {
  return RECIPIENT_STATUSES.filter((s) => typeof RECIPIENT_TABLE[s][event] !== 'object');
}

/** The recipients who sign (CC recipients never do). */
export function signersOf<R extends Pick<Recipient, 'role'>>(recipients: readonly R[]): R[] {
  return recipients.filter((r) => r.role === 'signer');
}

/**
 * The order whose signers sign now: the lowest order with a signer who has not signed; undefined when
 * every signer has. Signers of one order sign in parallel, in any order among themselves.
 */
export function currentOrder(recipients: readonly Pick<Recipient, 'role' | 'status' | 'order'>[]): number | undefined {
  const waiting = signersOf(recipients).filter((r) => r.status !== 'signed');
  return waiting.length === 0 ? undefined : Math.min(...waiting.map((r) => r.order));
}

/** The signers whose turn it is (the current order group, those who have not signed yet). */
export function currentSigners<R extends Pick<Recipient, 'role' | 'status' | 'order'>>(recipients: readonly R[]): R[] {
  const order = currentOrder(recipients);
  return signersOf(recipients).filter((r) => r.order === order && r.status !== 'signed');
}

/** Whether it is `recipient`'s turn to sign (a signer of the current order group who has not signed). */
export function isTurnOf(
  recipients: readonly Pick<Recipient, 'id' | 'role' | 'status' | 'order'>[],
  recipient: Pick<Recipient, 'id'>,
): boolean {
  return currentSigners(recipients).some((r) => r.id === recipient.id);
}

/** Throws NOT_YOUR_TURN (or RECIPIENT_IS_CC) unless it is `recipient`'s turn. */
export function assertTurnOf(
  recipients: readonly Pick<Recipient, 'id' | 'role' | 'status' | 'order'>[],
  recipient: Pick<Recipient, 'id' | 'role' | 'status'>,
): void {
  if (recipient.role === 'cc') refuse('RECIPIENT_IS_CC', {});
  if (recipient.status !== 'signed' && !isTurnOf(recipients, recipient)) refuse('NOT_YOUR_TURN', {});
}

/** Whether every signer has signed (CC recipients do not count). */
export function allSignersSigned(recipients: readonly Pick<Recipient, 'role' | 'status'>[]): boolean {
  return signersOf(recipients).every((r) => r.status === 'signed');
}

type Applying = Pick<Recipient, 'id' | 'role' | 'status' | 'order' | 'signedAt'>;

/**
 * The order in which signatures go into the documents: by signing order, then by when each signer
 * signed (then id). Each signature is its own incremental update on top of the previous one, so two
 * signers of a parallel group who sign at the same moment are still applied one after the other.
 */
function appliesBefore(a: Applying, b: Applying): boolean {
  if (a.order !== b.order) return a.order < b.order;
  const at = (r: Applying) => r.signedAt?.getTime() ?? Number.POSITIVE_INFINITY;
  if (at(a) !== at(b)) return at(a) < at(b);
  return a.id < b.id;
}

/**
 * Whether `recipient`'s signature may be applied now: every signer before it (earlier orders, and the
 * ones of its own group who signed first) is applied already.
 */
export function mayApplySignature(
  recipients: readonly Applying[],
  recipient: Applying,
  applied: ReadonlySet<string>,
): boolean {
  return signersOf(recipients).every(
    (r) =>
      r.id === recipient.id ||
      applied.has(r.id) ||
      !(r.order < recipient.order || (r.status === 'signed' && appliesBefore(r, recipient))),
  );
}

/** What the flow does after a signature is applied (`applied` includes it). */
export type NextStep =
  /** Apply the next signed signature (a parallel signer who signed meanwhile). */
  | { kind: 'apply'; recipientId: string }
  /** Send the request mails of the next order group. */
  | { kind: 'notify'; recipientIds: string[] }
  /** Every signer's signature is in: seal. */
  | { kind: 'seal' }
  /** Others of the current group have still to sign. */
  | { kind: 'wait' };

/** The next step of the flow once the signatures in `applied` are in the documents. */
export function nextStep(recipients: readonly Applying[], applied: ReadonlySet<string>): NextStep {
  const signers = signersOf(recipients);
  const pendingApply = signers
    .filter((r) => r.status === 'signed' && !applied.has(r.id))
    .sort((a, b) => (appliesBefore(a, b) ? -1 : 1));
  if (pendingApply.length > 0) return { kind: 'apply', recipientId: pendingApply[0].id };
  const group = currentSigners(signers);
  if (group.length === 0) return { kind: 'seal' };
  const toNotify = group.filter((r) => r.status === 'pending').map((r) => r.id);
  return toNotify.length > 0 ? { kind: 'notify', recipientIds: toNotify } : { kind: 'wait' };
}

/**
 * Checks the signing orders of a new envelope's signers: whole numbers from 1 without gaps (1, 1, 2 is
 * fine: the two 1s sign in parallel; 1, 3 is ORDER_GAP). Returns the orders' first offending index, or
 * throws.
 */
export function assertOrdersWithoutGaps(orders: readonly number[], fieldOf: (index: number) => string): void {
  const distinct = [...new Set(orders)].sort((a, b) => a - b);
  distinct.forEach((order, i) => {
    if (order !== i + 1) {
      const index = orders.indexOf(order);
      throw new AppError('ORDER_GAP', `signing orders must run 1, 2, 3 … without gaps; order ${i + 1} is missing`, {
        field: fieldOf(index),
        missing: i + 1,
      });
    }
  });
}
