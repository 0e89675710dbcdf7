import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Given-up webhook deliveries in 失敗した処理: a `webhook.deliver` job that failed for good now records
 * its organisation (as other failed jobs do) so that the organisation's administrators see it and can
 * replay it. Jobs given up before this migration get theirs from their delivery (the job's dedupe key is
 * `webhook:<delivery id>`). Data only; down leaves them (the column existed before).
 */
export function failedWebhooksMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`update jobs set organization_id = (
          select d.organization_id from webhook_deliveries d where 'webhook:' || d.id = jobs.dedupe_key
        )
        where kind = 'webhook.deliver' and status = 'failed' and organization_id is null`.execute(db);
    },
    async down(): Promise<void> {
      // Nothing to undo: the organisation of a failed job is what the column is for.
    },
  };
}
