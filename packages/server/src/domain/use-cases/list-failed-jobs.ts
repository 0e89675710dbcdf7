import { sql } from 'kysely';
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
  /** A given-up webhook delivery (`webhook.deliver`): where it was going and what. */
  webhook: { deliveryId: string; endpointId: string; url: string | null; eventType: string } | null;
}

/**
 * The organisation's failed jobs, newest first, with their last error (administrators only: see the
 * route). A given-up webhook delivery that has been replayed since (from here or from the delivery log)
 * is left out: its replay is the delivery log's to show.
 */
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
    .where(({ and, or, eb, not, exists, selectFrom }) =>
      or([
        eb('kind', '!=', 'webhook.deliver'),
        and([
          eb('dedupe_key', 'is not', null),
          not(
            exists(
              selectFrom('webhook_deliveries as replays')
                .select('replays.id')
                .where(sql<boolean>`${sql.lit('webhook:')} || replays.replay_of = jobs.dedupe_key`),
            ),
          ),
        ]),
      ]),
    )
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
      webhook: row.kind === 'webhook.deliver' ? await webhookOf(ctx, input.organizationId, payload) : null,
    });
  }
  return { items };
}

async function webhookOf(ctx: DomainContext, organizationId: string, payload: unknown): Promise<FailedJob['webhook']> {
  const deliveryId = (payload as { deliveryId?: unknown } | null)?.deliveryId;
  if (typeof deliveryId !== 'string') return null;
  const row = await ctx.db
    .selectFrom('webhook_deliveries')
    .leftJoin('webhook_endpoints', 'webhook_endpoints.id', 'webhook_deliveries.endpoint_id')
    .select([
      'webhook_deliveries.id',
      'webhook_deliveries.endpoint_id',
      'webhook_deliveries.event_type',
      'webhook_endpoints.url',
    ])
    .where('webhook_deliveries.id', '=', deliveryId)
    .where('webhook_deliveries.organization_id', '=', organizationId)
    .executeTakeFirst();
  return row ? { deliveryId: row.id, endpointId: row.endpoint_id, url: row.url, eventType: row.event_type } : null;
}
