import type { DomainContext } from '../domain-context.ts';
import { subjectOfJob } from './record-job-failure.ts';

/** Failed jobs shown per page (newest first). */
export const FAILED_JOBS_PAGE_MAX = 200;

/** A job that failed for good, as administrators see it. */
export interface FailedJob {
  id: string;
  kind: string;
  attempts: number;
  lastError: string | null;
  firstAttemptAt: string | null;
  failedAt: string | null;
  /** Whether the sender or administrators were told by mail. */
  notifiedAt: string | null;
  envelope: { id: string; name: string } | null;
}

/** The organisation's failed jobs, newest first, with their last error (administrators only: see the route). */
export async function listFailedJobs(
  ctx: DomainContext,
  input: { organizationId: string; limit?: number },
): Promise<{ items: FailedJob[] }> {
  const limit = Math.min(Math.max(1, input.limit ?? 100), FAILED_JOBS_PAGE_MAX);
  const rows = await ctx.db
    .selectFrom('jobs')
    .selectAll()
    .where('status', '=', 'failed')
    .where('organization_id', '=', input.organizationId)
    .orderBy('finished_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
  const items: FailedJob[] = [];
  for (const row of rows) {
    let payload: unknown = null;
    try {
      payload = JSON.parse(row.payload) as unknown;
    } catch {
      // Shown without its envelope.
    }
    const subject = await subjectOfJob(ctx.db, row.kind, payload);
    const envelope = subject.envelopeId
      ? await ctx.db
          .selectFrom('envelopes')
          .select(['id', 'name'])
          .where('id', '=', subject.envelopeId)
          .where('organization_id', '=', input.organizationId)
          .executeTakeFirst()
      : undefined;
    items.push({
      id: row.id,
      kind: row.kind,
      attempts: row.attempts,
      lastError: row.last_error,
      firstAttemptAt: row.first_attempt_at,
      failedAt: row.finished_at,
      notifiedAt: row.failed_notice_at,
      envelope: envelope ?? null,
    });
  }
  return { items };
}
