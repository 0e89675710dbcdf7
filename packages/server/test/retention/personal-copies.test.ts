// Personal copies (保管 from a completion mail, a personal account's imports) belong to the account, not
// to an organisation: the organisation's retention sweep never touches them, however old; deleting the
// account crypto-shreds their files (the rows go with the account by the foreign keys). Also: the daily
// `retention.sweep` job (the real queue and handlers) runs once per Japan day and queues the next day's.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startJobRunner } from '../../src/adapters/jobs/db-job-queue.ts';
import { createOrganization } from '../../src/cli/admin-commands.ts';
import { japanDate } from '../../src/domain/register/contract-model.ts';
import { scheduleRetentionSweep } from '../../src/domain/use-cases/shred-expired-documents.ts';
import { createJobHandlers } from '../../src/jobs/handlers.ts';
import { deleteAccount } from '../../src/domain/use-cases/delete-account.ts';
import { shredExpiredDocuments } from '../../src/domain/use-cases/shred-expired-documents.ts';
import { hashPassword } from '../../src/security/tokens.ts';
import { contractRow } from '../helpers/contract-row.ts';
import { DIALECTS, TestClock, createTestContext, type TestContext } from '../helpers/test-database.ts';

const YEAR_MS = 365.25 * 24 * 3600_000;

for (const dialect of DIALECTS) {
  describe(`personal copies follow the account (${dialect})`, () => {
    let t: TestContext;
    const clock = new TestClock(new Date('2026-04-01T00:00:00.000Z'));
    const userId = randomUUID();
    let blob: string;

    before(async () => {
      t = await createTestContext(dialect, {}, { clock });
      await createOrganization(t.context, { name: '保存テスト', slug: 'keep', adminEmail: 'admin@keep.example.jp' });
      const at = clock.now().toISOString();
      await t.context.db
        .insertInto('users')
        .values({
          id: userId,
          email: 'person@example.jp',
          name: '個人 利用者',
          password_hash: await hashPassword('correct horse battery'),
          created_at: at,
        })
        .execute();
      blob = await t.context.blobs.put(Buffer.from('%PDF-1.7 personal copy'));
      const contractId = randomUUID();
      await t.context.db
        .insertInto('contracts')
        .values({
          ...contractRow({ id: contractId, at, title: '保管した契約書', source: 'claim', ownerUserId: userId }),
          signed_on: '2026-04-01',
        })
        .execute();
      await t.context.db
        .insertInto('contract_documents')
        .values({
          id: randomUUID(),
          contract_id: contractId,
          kind: 'signed',
          position: 0,
          name: 'copy.pdf',
          size: 22,
          sha256: '0'.repeat(64),
          blob,
          owned: 1,
          created_at: at,
        })
        .execute();
    });
    after(async () => t?.cleanup());

    it('are not shredded by any organisation’s retention sweep', async () => {
      clock.advance(30 * YEAR_MS);
      const run = await shredExpiredDocuments(t.context);
      assert.deepEqual(run, { shredded: 0, files: 0, held: 0 });
      assert.equal(Buffer.from(await t.context.blobs.get(blob)).toString(), '%PDF-1.7 personal copy');
    });

    it('the daily job runs once per Japan day (twice queued: one run) and queues the next day', async () => {
      const runner = startJobRunner({
        db: t.context.db,
        dialect: t.context.dialect,
        handlers: createJobHandlers(t.context),
        workerId: 'retention-test',
        clock,
        manual: true,
      });
      try {
        await scheduleRetentionSweep(t.context, clock.now());
        // A second worker started the same day queues it again under another key: the claim decides.
        await t.context.jobs.enqueue(
          t.context.db,
          'retention.sweep',
          { day: japanDate(clock.now()) },
          { runAt: clock.now() },
        );
        await runner.idle();
        const runs = await t.context.db
          .selectFrom('scheduled_runs')
          .select(['period', 'finished_at'])
          .where('task', '=', 'retention.sweep')
          .execute();
        assert.equal(runs.length, 1);
        assert.ok(runs[0]!.finished_at);
        const next = await t.context.db
          .selectFrom('jobs')
          .select(['payload', 'run_at'])
          .where('kind', '=', 'retention.sweep')
          .where('status', '=', 'queued')
          .execute();
        assert.equal(next.length, 1, 'tomorrow’s run is queued once');
        assert.ok(new Date(next[0]!.run_at) > clock.now());
        assert.match(next[0]!.run_at, /T15:00:00/, 'at midnight in Japan');
      } finally {
        await runner.stop();
      }
      assert.equal(Buffer.from(await t.context.blobs.get(blob)).toString(), '%PDF-1.7 personal copy');
    });

    it('are crypto-shredded when the account is deleted', async () => {
      await deleteAccount(t.context, { userId, password: 'correct horse battery' });
      await assert.rejects(t.context.blobs.get(blob), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'BLOB_SHREDDED');
        return true;
      });
      const key = await t.context.db
        .selectFrom('document_keys')
        .select(['wrapped_key', 'destroy_reason'])
        .where('blob_key', '=', blob)
        .executeTakeFirstOrThrow();
      assert.deepEqual(key, { wrapped_key: null, destroy_reason: 'account-deleted' });
    });
  });
}
