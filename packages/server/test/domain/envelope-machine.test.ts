// The envelope state machine's tables, every state × event: the expected outcome is written out here
// (not derived from the module), so a change to a transition fails this test until it is changed too.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../src/domain/app-error.ts';
import {
  assertOrdersWithoutGaps,
  currentSigners,
  ENVELOPE_EVENTS,
  ENVELOPE_STATUSES,
  envelopeStatusesAllowing,
  envelopeTransition,
  mayApplySignature,
  nextStep,
  RECIPIENT_EVENTS,
  RECIPIENT_STATUSES,
  recipientTransition,
  type EnvelopeEvent,
  type RecipientEvent,
} from '../../src/domain/envelope-machine.ts';
import type { EnvelopeStatus, Recipient, RecipientStatus } from '../../src/domain/types.ts';

const NOW = new Date('2026-12-06T03:00:00Z');

/** The outcome of a transition: the next state, or the refusal's code. */
function outcome(run: () => string): string {
  try {
    return run();
  } catch (error) {
    assert.ok(error instanceof AppError, `an AppError, not ${String(error)}`);
    return `!${error.code}`;
  }
}

// Rows: state; columns in ENVELOPE_EVENTS order:
// edit, send, notify, view, sign, decline, lock, unlock, remind, cancel, expire, complete,
// then 稟議: submit, approve, reject, withdraw, reassign, release
const NOT_DRAFT = '!ENVELOPE_NOT_DRAFT';
const INACTIVE = '!ENVELOPE_NOT_ACTIVE';
const NOT_PENDING = '!APPROVAL_NOT_PENDING';
/** A state that takes no approval event: submit refused as not a draft, the rest as not pending. */
const NO_APPROVAL = [NOT_DRAFT, NOT_PENDING, NOT_PENDING, NOT_PENDING, NOT_PENDING, NOT_PENDING];
const ENVELOPE_EXPECTED: Record<EnvelopeStatus, string[]> = {
  draft: [
    'draft',
    'sent',
    INACTIVE,
    INACTIVE,
    INACTIVE,
    INACTIVE,
    INACTIVE,
    'draft',
    INACTIVE,
    'canceled',
    INACTIVE,
    INACTIVE,
    'pending_approval',
    NOT_PENDING,
    NOT_PENDING,
    NOT_PENDING,
    NOT_PENDING,
    NOT_PENDING,
  ],
  pending_approval: [
    NOT_DRAFT,
    NOT_DRAFT,
    INACTIVE,
    INACTIVE,
    INACTIVE,
    INACTIVE,
    INACTIVE,
    INACTIVE,
    INACTIVE,
    'canceled',
    INACTIVE,
    INACTIVE,
    NOT_DRAFT,
    'pending_approval',
    'draft',
    'draft',
    'pending_approval',
    'sent',
  ],
  sent: [
    NOT_DRAFT,
    NOT_DRAFT,
    'sent',
    'sent',
    'sent',
    'declined',
    'sent',
    'sent',
    'sent',
    'canceled',
    'expired',
    'completed',
    ...NO_APPROVAL,
  ],
  completed: [NOT_DRAFT, NOT_DRAFT, ...Array<string>(10).fill(INACTIVE), ...NO_APPROVAL],
  declined: [NOT_DRAFT, NOT_DRAFT, ...Array<string>(10).fill(INACTIVE), ...NO_APPROVAL],
  canceled: [NOT_DRAFT, NOT_DRAFT, ...Array<string>(10).fill(INACTIVE), ...NO_APPROVAL],
  expired: [NOT_DRAFT, NOT_DRAFT, ...Array<string>(10).fill(INACTIVE), ...NO_APPROVAL],
};

// Columns in RECIPIENT_EVENTS order: notify, remind, view, sign, decline, lock, unlock
const TURN = '!NOT_YOUR_TURN';
const SIGNED = '!ALREADY_SIGNED';
const LOCKED = '!ACCESS_CODE_LOCKED';
const RECIPIENT_EXPECTED: Record<RecipientStatus, string[]> = {
  pending: ['notified', TURN, 'viewed', TURN, TURN, 'locked', 'pending'],
  notified: ['notified', 'notified', 'viewed', 'signed', 'declined', 'locked', 'notified'],
  viewed: ['viewed', 'viewed', 'viewed', 'signed', 'declined', 'locked', 'viewed'],
  signed: [SIGNED, SIGNED, 'signed', SIGNED, SIGNED, 'signed', 'signed'],
  declined: [INACTIVE, INACTIVE, 'declined', INACTIVE, 'declined', 'declined', 'declined'],
  locked: [LOCKED, LOCKED, LOCKED, LOCKED, LOCKED, 'locked', 'RESTORE'],
};

describe('envelope state machine', () => {
  it('the envelope table: every state × event is the expected state or refusal', () => {
    assert.deepEqual(ENVELOPE_EVENTS, [
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
    ]);
    for (const status of ENVELOPE_STATUSES) {
      ENVELOPE_EVENTS.forEach((event: EnvelopeEvent, i) => {
        const got = outcome(() => envelopeTransition({ status, expiresAt: null }, event, NOW));
        assert.equal(got, ENVELOPE_EXPECTED[status][i], `${status} × ${event}`);
      });
    }
  });

  it('a sent envelope past its expiry takes only expire and complete', () => {
    const past = { status: 'sent' as const, expiresAt: new Date(NOW.getTime() - 1) };
    for (const event of ENVELOPE_EVENTS) {
      const got = outcome(() => envelopeTransition(past, event, NOW));
      const expected =
        event === 'expire'
          ? 'expired'
          : event === 'complete'
            ? 'completed'
            : event === 'send' || event === 'edit' || event === 'submit'
              ? NOT_DRAFT
              : ['approve', 'reject', 'withdraw', 'reassign', 'release'].includes(event)
                ? NOT_PENDING
                : INACTIVE;
      assert.equal(got, expected, event);
    }
    // One millisecond before the expiry it is still active.
    assert.equal(envelopeTransition({ status: 'sent', expiresAt: new Date(NOW.getTime() + 1) }, 'sign', NOW), 'sent');
  });

  it('conditional updates take exactly the statuses the table allows', () => {
    assert.deepEqual(envelopeStatusesAllowing('cancel'), ['draft', 'pending_approval', 'sent']);
    assert.deepEqual(envelopeStatusesAllowing('send'), ['draft']);
    assert.deepEqual(envelopeStatusesAllowing('submit'), ['draft']);
    assert.deepEqual(envelopeStatusesAllowing('release'), ['pending_approval']);
    assert.deepEqual(envelopeStatusesAllowing('approve'), ['pending_approval']);
    assert.deepEqual(envelopeStatusesAllowing('complete'), ['sent']);
  });

  it('the signer table: every state × event is the expected state or refusal', () => {
    assert.deepEqual(RECIPIENT_EVENTS, ['notify', 'remind', 'view', 'sign', 'decline', 'lock', 'unlock']);
    for (const status of RECIPIENT_STATUSES) {
      RECIPIENT_EVENTS.forEach((event: RecipientEvent, i) => {
        const expected = RECIPIENT_EXPECTED[status][i];
        if (expected === 'RESTORE') {
          // Unlock goes back to where the lock found the recipient, by the recorded times.
          const at = new Date(NOW);
          assert.equal(
            recipientTransition({ status, role: 'signer', notifiedAt: null, viewedAt: null }, event),
            'pending',
          );
          assert.equal(
            recipientTransition({ status, role: 'signer', notifiedAt: at, viewedAt: null }, event),
            'notified',
          );
          assert.equal(recipientTransition({ status, role: 'signer', notifiedAt: at, viewedAt: at }, event), 'viewed');
          return;
        }
        const got = outcome(() =>
          recipientTransition({ status, role: 'signer', notifiedAt: NOW, viewedAt: null }, event),
        );
        assert.equal(got, expected, `${status} × ${event}`);
      });
    }
  });

  it('a CC recipient takes no event at all', () => {
    for (const status of RECIPIENT_STATUSES)
      for (const event of RECIPIENT_EVENTS)
        assert.equal(
          outcome(() => recipientTransition({ status, role: 'cc', notifiedAt: null, viewedAt: null }, event)),
          '!RECIPIENT_IS_CC',
        );
  });
});

let seq = 0;
function recipient(order: number, status: RecipientStatus, extra: Partial<Recipient> = {}): Recipient {
  seq++;
  return {
    id: `r${String(seq).padStart(2, '0')}`,
    envelopeId: 'e',
    order,
    role: 'signer',
    name: `R${seq}`,
    email: `r${seq}@example.jp`,
    language: 'ja',
    auth: 'access_code',
    userId: null,
    accessCodeHash: null,
    accessCodeSealed: null,
    failedAttempts: 0,
    status,
    notifiedAt: null,
    viewedAt: null,
    signedAt: status === 'signed' ? new Date(NOW.getTime() + seq) : null,
    declinedAt: null,
    declineReason: null,
    lockedAt: null,
    remindedAt: null,
    reminderCount: 0,
    ...extra,
  };
}

describe('turns: order groups and CC', () => {
  it('signers of one order sign together; the next group waits; CC never has a turn', () => {
    const a = recipient(1, 'notified');
    const b = recipient(1, 'viewed');
    const c = recipient(2, 'pending');
    const cc = recipient(0, 'pending', { role: 'cc' });
    assert.deepEqual(
      currentSigners([a, b, c, cc]).map((r) => r.id),
      [a.id, b.id],
    );
    assert.deepEqual(
      currentSigners([{ ...a, status: 'signed' }, b, c, cc]).map((r) => r.id),
      [b.id],
    );
    assert.deepEqual(
      currentSigners([{ ...a, status: 'signed' }, { ...b, status: 'signed' }, c, cc]).map((r) => r.id),
      [c.id],
    );
  });

  it('signatures of a parallel group are applied one at a time, in the order they were given', () => {
    const a = recipient(1, 'signed', { signedAt: new Date(NOW.getTime() + 5) });
    const b = recipient(1, 'signed', { signedAt: new Date(NOW.getTime() + 1) });
    const c = recipient(2, 'pending');
    const all = [a, b, c];
    // b signed first: b goes first; a waits for b.
    assert.equal(mayApplySignature(all, b, new Set()), true);
    assert.equal(mayApplySignature(all, a, new Set()), false);
    assert.equal(mayApplySignature(all, a, new Set([b.id])), true);
    // Same moment: the id decides, so exactly one of the two may go first.
    const at = new Date(NOW.getTime() + 9);
    const x = { ...a, signedAt: at };
    const y = { ...b, signedAt: at };
    assert.notEqual(mayApplySignature([x, y, c], x, new Set()), mayApplySignature([x, y, c], y, new Set()));
    // After b: apply a next; after both: the next group's requests; after all: seal.
    assert.deepEqual(nextStep(all, new Set([b.id])), { kind: 'apply', recipientId: a.id });
    assert.deepEqual(nextStep(all, new Set([a.id, b.id])), { kind: 'notify', recipientIds: [c.id] });
    assert.deepEqual(nextStep([a, b], new Set([a.id, b.id])), { kind: 'seal' });
  });

  it('one of a parallel group signed and applied, the other not yet signed: wait', () => {
    const a = recipient(1, 'signed');
    const b = recipient(1, 'notified');
    const cc = recipient(0, 'pending', { role: 'cc' });
    assert.deepEqual(nextStep([a, b, cc], new Set([a.id])), { kind: 'wait' });
    // A CC recipient never holds up the seal.
    assert.deepEqual(nextStep([a, { ...b, status: 'signed' }, cc], new Set([a.id, b.id])), { kind: 'seal' });
  });

  it('signing orders run 1, 2, 3 … without gaps; equal orders are allowed', () => {
    const field = (i: number) => `recipients[${i}].order`;
    assertOrdersWithoutGaps([1, 1, 2], field);
    assertOrdersWithoutGaps([2, 1, 2, 3], field);
    const gap = outcome(() => {
      assertOrdersWithoutGaps([1, 3, 3], field);
      return 'ok';
    });
    assert.equal(gap, '!ORDER_GAP');
    try {
      assertOrdersWithoutGaps([2], field);
      assert.fail('order 1 missing');
    } catch (error) {
      assert.ok(error instanceof AppError);
      assert.deepEqual(error.details, { field: 'recipients[0].order', missing: 1 });
    }
  });
});
