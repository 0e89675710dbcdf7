// 稟議: whose turn it is on an approval route (pure): 全員承認 one after another in order, いずれか1名 all at
// once with the first approval completing the step, a rejection ending the round.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  afterApproval,
  currentApprovals,
  routeApproved,
  type ApprovalSlot,
} from '../../src/domain/approvals/approval-flow.ts';

function slot(id: string, stepIndex: number, stepMode: 'all' | 'any', position: number): ApprovalSlot {
  return { id, stepIndex, stepMode, position, userId: `user-${id}`, status: 'open' };
}

// Step 1: a then b (all, in order); step 2: c or d (any).
const ROUTE = [slot('d', 1, 'any', 1), slot('b', 0, 'all', 1), slot('c', 1, 'any', 0), slot('a', 0, 'all', 0)];
const ids = (slots: readonly ApprovalSlot[]) => slots.map((s) => s.id).sort();

describe('approval flow', () => {
  it('全員承認 asks its approvers one after another; いずれか1名 asks all at once; the first any-of approval ends it', () => {
    assert.deepEqual(ids(currentApprovals(ROUTE)), ['a']);
    const first = afterApproval(ROUTE, 'a');
    assert.deepEqual(ids(first.newlyCurrent), ['b']);
    assert.equal(first.approved, false);
    const second = afterApproval(first.slots, 'b');
    assert.deepEqual(ids(second.newlyCurrent), ['c', 'd']);
    const last = afterApproval(second.slots, 'd');
    assert.equal(last.approved, true);
    assert.deepEqual(ids(last.skipped), ['c']);
    assert.deepEqual(last.newlyCurrent, []);
    assert.deepEqual(currentApprovals(last.slots), []);
    assert.equal(routeApproved(last.slots), true);
  });

  it('a rejection or a withdrawal ends the round: nobody decides, the route is not approved', () => {
    for (const status of ['rejected', 'withdrawn'] as const) {
      const ended = ROUTE.map((s) => (s.id === 'a' ? { ...s, status } : s));
      assert.deepEqual(currentApprovals(ended), []);
      assert.equal(routeApproved(ended), false);
    }
    assert.equal(routeApproved([]), false, 'no route, no approval');
  });
});
