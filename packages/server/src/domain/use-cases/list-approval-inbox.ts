import { currentApprovals } from '../approvals/approval-flow.ts';
import { loadRound } from '../approvals/approval-rows.ts';
import type { DomainContext } from '../domain-context.ts';

/** The most envelopes the inbox lists (oldest waiting first). */
const INBOX_LIMIT = 200;

/** An envelope waiting for the caller's approval (承認待ち一覧). */
export interface ApprovalInboxItem {
  envelopeId: string;
  name: string;
  routeName: string;
  step: number;
  stepMode: 'all' | 'any';
  senderName: string | null;
  submittedAt: Date;
}

/** 稟議: the envelopes of the caller's organisation on which the caller decides now. */
export async function listApprovalInbox(
  ctx: DomainContext,
  input: { organizationId: string; userId: string },
): Promise<ApprovalInboxItem[]> {
  const candidates = await ctx.db
    .selectFrom('envelope_approvals as a')
    .innerJoin('envelopes as e', 'e.id', 'a.envelope_id')
    .leftJoin('users as u', 'u.id', 'e.created_by_user_id')
    .select(['a.id', 'a.envelope_id', 'a.route_name', 'a.step_index', 'a.step_mode', 'a.created_at', 'e.name'])
    .select('u.name as sender_name')
    .select('e.approval_round')
    .where('a.user_id', '=', input.userId)
    .where('a.organization_id', '=', input.organizationId)
    .where('a.status', '=', 'open')
    .where('e.organization_id', '=', input.organizationId)
    .where('e.status', '=', 'pending_approval')
    .whereRef('a.round', '=', 'e.approval_round')
    .orderBy('a.created_at')
    .orderBy('a.id')
    .limit(INBOX_LIMIT)
    .execute();
  const items: ApprovalInboxItem[] = [];
  for (const c of candidates) {
    const current = currentApprovals(await loadRound(ctx.db, c.envelope_id, c.approval_round));
    if (!current.some((r) => r.id === c.id)) continue;
    items.push({
      envelopeId: c.envelope_id,
      name: c.name,
      routeName: c.route_name,
      step: c.step_index + 1,
      stepMode: c.step_mode,
      senderName: c.sender_name ?? null,
      submittedAt: new Date(c.created_at),
    });
  }
  return items;
}
