// `inkan audit verify` (the real CLI, as a process) on SQLite and PostgreSQL: an untouched log exits 0
// with its count; changing one stored event, or deleting one, exits 1 naming the first broken event
// (seq and id); the daily TSA anchor is a token that openssl accepts for the chain head, runs at most
// once a day, schedules the next day, and catches a log whose tail was cut off.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { opensslTsVerify, timestampImprintHex, toPem } from '../../../core/test/helpers/validators.ts';
import { addMember, createApiKey, createOrganization } from '../../src/cli/admin-commands.ts';
import {
  anchorAuditChain,
  scheduleAuditAnchor,
  startOfNextDay,
} from '../../src/domain/use-cases/anchor-audit-chain.ts';
import { createJobHandlers } from '../../src/jobs/handlers.ts';
import { runInkan } from '../helpers/run-inkan.ts';
import { DIALECTS, TestClock, createTestContext, type TestContext } from '../helpers/test-database.ts';

for (const dialect of DIALECTS) {
  describe(`inkan audit verify (${dialect})`, () => {
    let t: TestContext;
    const clock = new TestClock(new Date('2030-03-04T10:00:00.000Z'));
    const verify = () =>
      runInkan(['audit', 'verify'], {
        dataDir: t.dataDir,
        env: {
          INKAN_ENV: 'test',
          INKAN_SIGNING_KEY_ALGORITHM: 'ECDSA-P256',
          ...(t.database.url ? { INKAN_DATABASE_URL: t.database.url } : {}),
        },
      });
    const events = () => t.context.db.selectFrom('events').selectAll().orderBy('seq').execute();

    before(async () => {
      t = await createTestContext(dialect, {}, { clock });
      await createOrganization(t.context, { name: '監査テスト', slug: 'audit', adminEmail: 'admin@audit.example.jp' });
      for (let i = 0; i < 4; i++) {
        clock.advance(60_000);
        await addMember(t.context, { organizationSlug: 'audit', email: `m${i}@audit.example.jp`, role: 'member' });
      }
      await createApiKey(t.context, { organizationSlug: 'audit' });
    });
    after(async () => t?.cleanup());

    it('anchors the chain head once a day with a token openssl accepts, and schedules the next day', async () => {
      const head = (await events()).at(-1)!;
      assert.equal(await anchorAuditChain(t.context), 'anchored');
      const [anchor] = await t.context.db.selectFrom('audit_anchors').selectAll().execute();
      assert.equal(anchor.head_seq, head.seq);
      assert.equal(anchor.head_hash, head.hash);
      const token = new Uint8Array(Buffer.from(anchor.token, 'base64'));
      assert.equal(await timestampImprintHex(token), head.hash, 'the imprint is the head hash');
      const pki = t.context.signing.pki;
      const ts = await opensslTsVerify({
        tokenDer: token,
        digestHex: head.hash,
        rootPem: pki.rootPem(),
        untrustedPem: toPem(pki.issuingCertificate),
      });
      assert.equal(ts.ok, true, ts.output);
      const anchored = (await events()).at(-1)!;
      assert.equal(anchored.action, 'audit.anchored');
      assert.deepEqual(JSON.parse(anchored.details), { anchorId: anchor.id, headSeq: head.seq, headHash: head.hash });

      // At most once a day; tomorrow's run is queued for midnight UTC, once.
      assert.equal(await anchorAuditChain(t.context), 'skipped');
      const queued = await t.context.db.selectFrom('jobs').selectAll().where('kind', '=', 'audit.anchor').execute();
      assert.deepEqual(
        queued.map((j) => [j.dedupe_key, j.run_at, j.status]),
        [['audit.anchor:2030-03-05', '2030-03-05T00:00:00.000Z', 'queued']],
      );
      assert.equal(startOfNextDay('2030-03-04').toISOString(), '2030-03-05T00:00:00.000Z');
      // A worker starting today queues today's run (its dedupe key keeps it single).
      await scheduleAuditAnchor(t.context, clock.now());
      await scheduleAuditAnchor(t.context, clock.now());
      assert.equal(
        (
          await t.context.db
            .selectFrom('jobs')
            .select('id')
            .where('dedupe_key', '=', 'audit.anchor:2030-03-04')
            .execute()
        ).length,
        1,
      );

      // Next day: nothing new but the anchor's own event → skipped; after a new event → anchored.
      clock.advance(24 * 3600_000);
      const handlers = createJobHandlers(t.context);
      await handlers['audit.anchor']!(
        { day: '2030-03-05' },
        { id: 'j', kind: 'audit.anchor', attempt: 1, maxAttempts: 8, dedupeKey: null, createdAt: clock.now() },
      );
      assert.equal(
        (await t.context.db.selectFrom('audit_anchors').select('id').execute()).length,
        1,
        'the log did not grow',
      );
      await addMember(t.context, { organizationSlug: 'audit', email: 'late@audit.example.jp' });
      assert.equal(await anchorAuditChain(t.context), 'anchored');
      assert.equal((await t.context.db.selectFrom('audit_anchors').select('id').execute()).length, 2);
    });

    it('exits 0 with the count for an untouched log', async () => {
      const run = await verify();
      assert.equal(run.code, 0, run.stderr);
      const count = (await events()).length;
      assert.match(run.stdout, new RegExp(`operation log intact: ${count} events`));
      assert.match(run.stdout, /2 TSA anchor\(s\) verified/);
    });

    it('exits 1 naming a changed event, and 0 again once it is restored', async () => {
      // Someone makes a member look as if they had been added as an administrator.
      const victim = (await events()).filter((e) => e.action === 'member.added')[1];
      await t.context.db
        .updateTable('events')
        .set({ details: victim.details.replace('"role":"member"', '"role":"admin"') })
        .where('seq', '=', victim.seq)
        .execute();
      assert.match(
        (
          await t.context.db
            .selectFrom('events')
            .select('details')
            .where('seq', '=', victim.seq)
            .executeTakeFirstOrThrow()
        ).details,
        /"role":"admin"/,
      );
      const run = await verify();
      assert.equal(run.code, 1, run.stdout);
      assert.match(
        run.stderr,
        new RegExp(`broken at event seq ${victim.seq} \\(id ${victim.id}\\): its content does not match its hash`),
      );
      await t.context.db.updateTable('events').set({ details: victim.details }).where('seq', '=', victim.seq).execute();
      assert.equal((await verify()).code, 0);
    });

    it('exits 1 naming the event after a deleted one', async () => {
      const all = await events();
      const [deleted, next] = [all[5], all[6]];
      await t.context.db.deleteFrom('events').where('seq', '=', deleted.seq).execute();
      const run = await verify();
      assert.equal(run.code, 1, run.stdout);
      assert.match(
        run.stderr,
        new RegExp(`broken at event seq ${next.seq} \\(id ${next.id}\\): it does not follow the event before it`),
      );
      await t.context.db.insertInto('events').values(deleted).execute();
      assert.equal((await verify()).code, 0, 'restored');
    });

    it('exits 1 when the tail holding an anchored event is cut off, or an anchor is forged', async () => {
      const anchors = await t.context.db.selectFrom('audit_anchors').selectAll().orderBy('head_seq').execute();
      const last = anchors.at(-1)!;
      const tail = await t.context.db
        .selectFrom('events')
        .selectAll()
        .where('seq', '>=', last.head_seq)
        .orderBy('seq')
        .execute();
      // What is left is an intact chain, shorter: only the anchor shows that something was removed.
      await t.context.db.deleteFrom('events').where('seq', '>=', last.head_seq).execute();
      const cut = await verify();
      assert.equal(cut.code, 1, cut.stdout);
      assert.match(
        cut.stderr,
        new RegExp(`anchor ${last.id} .*event seq ${last.head_seq}\\): the event it timestamped is missing`),
      );
      for (const row of tail) await t.context.db.insertInto('events').values(row).execute();
      assert.equal((await verify()).code, 0);

      // An anchor rewritten to name another head no longer matches its token.
      const other = (await events())[2];
      await t.context.db
        .updateTable('audit_anchors')
        .set({ head_seq: other.seq, head_hash: other.hash })
        .where('id', '=', anchors[0].id)
        .execute();
      const forged = await verify();
      assert.equal(forged.code, 1);
      assert.match(forged.stderr, /message imprint is not the head hash it names/);
    });
  });
}
