import type { Db } from '../../ports/database.ts';

/**
 * Whether any job is due now: queued and due, or running under an expired lease (a dead worker's).
 * One indexed look-up: what the web side of `inkan serve --role=all` asks every second while its
 * on-demand job worker thread is stopped.
 */
export async function hasDueJobs(db: Db, now: Date): Promise<boolean> {
  const at = now.toISOString();
  const row = await db
    .selectFrom('jobs')
    .select('id')
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'queued'), eb('run_at', '<=', at)]),
        eb.and([eb('status', '=', 'running'), eb('locked_until', '<', at)]),
      ]),
    )
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
