/**
 * Scheduled work across instances (issue 10 part 3) and the expiry sweep (part 4), on SQLite and
 * PostgreSQL: two job runners (two workers on one database) given two jobs for the same backup slot —
 * as happens when a worker queues the slot again after another finished it — make exactly one backup;
 * the expiry sweep turns a sent envelope past its expiry date into `expired` with one `envelope.expired`
 * event, leaves the others alone, and a second sweep changes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { DbJobQueue, startJobRunner } from '../../src/adapters/jobs/db-job-queue.ts';
import { listBackups } from '../../src/backup/backups.ts';
import { createJobHandlers } from '../../src/jobs/handlers.ts';
import { jobRunnerPolicy } from '../../src/jobs/worker-thread.ts';
import { scheduleExpirySweep } from '../../src/domain/use-cases/expire-envelopes.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { startHarness, type Harness } from '../api/helpers/harness.ts';

const DAY = 86_400_000;

for (const dialect of DIALECTS) {
  describe(`scheduled work and the expiry sweep (${dialect})`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(dialect, { env: { INKAN_EXPIRY_SWEEP: '10m' } });
    });
    after(async () => h?.close());

    const runners = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        startJobRunner({
          ...jobRunnerPolicy(h.context, `test-${i}`),
          workerId: `instance-${i}`,
          handlers: createJobHandlers(h.context),
          manual: true,
        }),
      );

    it('two workers given two jobs for the same backup slot make one backup', async () => {
      const slot = new Date(Math.floor(h.clock.now().getTime() / 60_000) * 60_000).toISOString();
      const queue = new DbJobQueue({ clock: h.clock });
      // No dedupe key: the second job stands for one queued by another instance after the first finished.
      await queue.enqueue(h.context.db, 'backup.run', { slot });
      await queue.enqueue(h.context.db, 'backup.run', { slot });
      const [a, b] = runners(2);
      const ran = await Promise.all([a!.runOnce(), b!.runOnce()]);
      assert.deepEqual(ran, [true, true], 'each worker ran one of the jobs');
      await Promise.all([a!.stop(), b!.stop()]);
      const jobs = await h.context.db
        .selectFrom('jobs')
        .select(['status', 'last_error'])
        .where('kind', '=', 'backup.run')
        .where('payload', 'like', `%${slot}%`)
        .execute();
      assert.deepEqual(
        jobs.map((j) => j.status),
        ['done', 'done'],
        JSON.stringify(jobs),
      );
      const backups = await listBackups(h.context.config);
      assert.equal(backups.length, 1, 'one backup for the slot');
      const claims = await h.context.db
        .selectFrom('scheduled_runs')
        .selectAll()
        .where('task', '=', 'backup.run')
        .where('period', '=', slot)
        .execute();
      assert.equal(claims.length, 1);
      assert.ok(claims[0]!.finished_at);
    });

    it('the sweep expires sent envelopes past their expiry date, once, with their event', async () => {
      const create = async (name: string, expiresInMs: number) => {
        const created = await h.createEnvelope(
          h.org,
          {
            name,
            expiresAt: new Date(h.clock.now().getTime() + expiresInMs).toISOString(),
            recipients: [{ name: '山田 太郎', email: 'taro@expiry.example.jp', accessCode: '1234', order: 1 }],
          },
          [{ filename: 'a.pdf', data: await makePdf({ pages: 1 }) }],
        );
        assert.equal(created.statusCode, 201, created.body);
        const id = created.json().id as string;
        assert.equal((await h.api(h.org, 'POST', `/api/v1/envelopes/${id}/send`)).statusCode, 200);
        return id;
      };
      const soon = await create('期限が近い契約', DAY);
      const later = await create('期限が先の契約', 10 * DAY);
      const [worker] = runners(1);
      await worker!.idle();
      h.clock.advance(2 * DAY);
      const stored = async (id: string) =>
        (await h.context.db.selectFrom('envelopes').select('status').where('id', '=', id).executeTakeFirstOrThrow())
          .status;
      assert.equal(await stored(soon), 'sent', 'nothing has run yet: shown as expired, stored as sent');
      assert.equal((await h.api(h.org, 'GET', `/api/v1/envelopes/${soon}`)).json().status, 'expired');

      await scheduleExpirySweep(h.context, h.clock.now());
      await worker!.idle();
      assert.equal(await stored(soon), 'expired');
      assert.equal(await stored(later), 'sent');
      const events = async () =>
        h.context.db
          .selectFrom('events')
          .select(['envelope_id', 'actor_type', 'details'])
          .where('action', '=', 'envelope.expired')
          .execute();
      assert.deepEqual(
        (await events()).map((e) => [e.envelope_id, e.actor_type]),
        [[soon, 'system']],
      );
      // The sweep queued its next slot; running it (and more) changes nothing.
      const next = await h.context.db
        .selectFrom('jobs')
        .select('run_at')
        .where('kind', '=', 'envelope.expiry-sweep')
        .where('status', '=', 'queued')
        .execute();
      assert.equal(next.length, 1);
      h.clock.advance(new Date(next[0]!.run_at).getTime() - h.clock.now().getTime() + 1);
      await worker!.idle();
      assert.equal((await events()).length, 1, 'one event per expired envelope');
      await worker!.stop();
    });
  });
}
