/**
 * LTA renewal (issue 13 part 5), on SQLite and PostgreSQL. An envelope is signed and sealed by a TSA
 * whose certificate lives 20 days (issued by the installation's CA for the test). With
 * INKAN_RENEWAL_MARGIN=7d it is listed as upcoming; 14 days later (controlled clock) the daily job
 * renews every stored PDF with the installation's long-lived TSA: a new version (blob, SHA-256) becomes
 * current for downloads and the register, the original hash is kept, the operation log records it, and
 * `inkan verify --at` a time after the short-lived TSA certificate expired passes for the renewed file
 * and fails for the file as sealed. Two workers given jobs for the same day, and two runs racing, make
 * one renewal per file. A renewal refused because the renewing TSA's certificate ends too soon mails the
 * organisation's administrators (once a day).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { newestArchiveTimestamp } from '@inkan/core';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { DbJobQueue, startJobRunner } from '../../src/adapters/jobs/db-job-queue.ts';
import { createJobHandlers } from '../../src/jobs/handlers.ts';
import { jobRunnerPolicy } from '../../src/jobs/worker-thread.ts';
import { renewArchiveTimestamps, renewalDay } from '../../src/domain/use-cases/renew-archive-timestamps.ts';
import { sendRenewalRefusedMail } from '../../src/domain/use-cases/send-renewal-refused-mail.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { runInkan } from '../helpers/run-inkan.ts';
import { useShortLivedTsa } from '../helpers/short-lived-tsa.ts';
import { startHarness, type Harness } from '../api/helpers/harness.ts';
import { completeEnvelope } from '../verify/helpers/signed-envelope.ts';

const DAY = 86_400_000;

for (const dialect of DIALECTS) {
  describe(`LTA renewal (${dialect})`, () => {
    let h: Harness;
    let dir: string;
    let rootPem: string;
    let shortTsaNotAfter: Date;
    let envelopeId: string;
    let sealedPdf: Uint8Array;

    before(async () => {
      h = await startHarness(dialect, { env: { INKAN_RENEWAL_MARGIN: '7d' } });
      dir = mkdtempSync(join(tmpdir(), 'inkan-renewal-'));
      rootPem = h.context.signing.pki.rootPem();
      writeFileSync(join(dir, 'root.pem'), rootPem);
      // A TSA of this installation's CA whose certificate ends in 20 days signs and seals the envelope.
      const shortLived = await useShortLivedTsa(h.context.signing, { days: 20 });
      const done = await completeEnvelope(h, {
        documents: [{ filename: '業務委託契約書.pdf', data: await makePdf({ pages: 1, text: 'Renewal' }) }],
      });
      envelopeId = done.id;
      sealedPdf = done.signedPdf;
      const info = newestArchiveTimestamp(sealedPdf);
      assert.ok(info);
      assert.match(info.tsaSubject, /Short-lived Test TSA/);
      shortTsaNotAfter = info.tsaNotAfter;
      // Renewals use the installation's own TSA again (its certificate lives years).
      shortLived.restore();
    });
    after(async () => {
      await h?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const verifyAt = async (pdf: Uint8Array, at: Date) => {
      const file = join(dir, `check-${Date.now()}-${Math.random().toString(16).slice(2)}.pdf`);
      writeFileSync(file, pdf);
      return runInkan(['verify', file, '--trust', join(dir, 'root.pem'), '--at', at.toISOString(), '--json'], {
        dataDir: join(dir, 'no-data'),
      });
    };
    const runners = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        startJobRunner({
          ...jobRunnerPolicy(h.context, `renewal-${i}`),
          workerId: `renewal-instance-${i}`,
          handlers: createJobHandlers(h.context),
          manual: true,
        }),
      );
    const versions = () =>
      h.context.db
        .selectFrom('archive_versions')
        .selectAll()
        .where('envelope_id', '=', envelopeId)
        .orderBy('subject_kind')
        .orderBy('version')
        .execute();

    it('as sealed, after the short-lived TSA certificate expired, nothing later proves its document timestamp: INDETERMINATE', async () => {
      const before = await verifyAt(sealedPdf, new Date(shortTsaNotAfter.getTime() - DAY));
      assert.equal(before.code, 0, before.stdout + before.stderr);
      // A timestamp is no proof of its own existence: once its TSA certificate has expired, only a later
      // archive timestamp can carry it (ETSI EN 319 102-1: OUT_OF_BOUNDS_NO_POE).
      const afterExpiry = await verifyAt(sealedPdf, new Date(shortTsaNotAfter.getTime() + 2 * DAY));
      assert.equal(afterExpiry.code, 1, afterExpiry.stdout + afterExpiry.stderr);
      const report = JSON.parse(afterExpiry.stdout);
      const [stamp] = report.signatures.filter((s: { type: string }) => s.type === 'document-timestamp');
      assert.match(stamp.timestamp.tsa, /Short-lived Test TSA/);
      assert.deepEqual([stamp.indication, stamp.subIndication], ['INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE']);
      assert.equal(stamp.status, 'indeterminate');
    });

    it('lists the files as upcoming, not yet due, and renews nothing while the TSA certificate is far from its end', async () => {
      const [worker] = runners(1);
      const day = renewalDay(h.clock.now());
      await new DbJobQueue({ clock: h.clock }).enqueue(h.context.db, 'archive.renewal', { day });
      await worker!.idle();
      await worker!.stop();
      const rows = await versions();
      assert.deepEqual(
        rows.map((v) => [v.subject_kind, v.version, v.current, v.reason]),
        [
          ['certificate', 1, 1, 'sealed'],
          ['document', 1, 1, 'sealed'],
        ],
      );
      assert.equal(rows[1]!.tsa_expires_at, shortTsaNotAfter.toISOString());
      assert.equal(rows[1]!.timestamp_hash, 'sha256');
      const listed = await h.api(h.org, 'GET', '/api/v1/renewals');
      assert.equal(listed.statusCode, 200, listed.body);
      const body = listed.json();
      const upcoming = body.upcoming.filter((u: { envelopeId: string }) => u.envelopeId === envelopeId);
      assert.equal(upcoming.length, 2);
      assert.equal(upcoming[0].dueAt, new Date(shortTsaNotAfter.getTime() - 7 * DAY).toISOString());
      assert.equal(upcoming[0].due, false);
      assert.deepEqual(body.done, []);
      // Another organisation sees none of it; without credentials, nothing at all.
      const other = (await h.api(h.other, 'GET', '/api/v1/renewals')).json();
      assert.deepEqual([other.upcoming, other.done], [[], []]);
      const anonymous = await h.app.inject({ method: 'GET', url: '/api/v1/renewals' });
      assert.equal(anonymous.statusCode, 401, anonymous.body);
    });

    it('14 days later two workers renew each file once; downloads, the register and the log follow', async () => {
      h.clock.advance(14 * DAY);
      const day = renewalDay(h.clock.now());
      const queue = new DbJobQueue({ clock: h.clock });
      // No dedupe key: the second job stands for one queued by another instance for the same day.
      await queue.enqueue(h.context.db, 'archive.renewal', { day });
      await queue.enqueue(h.context.db, 'archive.renewal', { day });
      const [a, b] = runners(2);
      await Promise.all([a!.runOnce(), b!.runOnce()]);
      await Promise.all([a!.idle(), b!.idle()]);
      await Promise.all([a!.stop(), b!.stop()]);
      const failed = await h.context.db
        .selectFrom('jobs')
        .select(['kind', 'last_error'])
        .where('kind', '=', 'archive.renewal')
        .where('last_error', 'is not', null)
        .execute();
      assert.deepEqual(failed, []);

      const rows = await versions();
      assert.deepEqual(
        rows.map((v) => [v.subject_kind, v.version, v.current, v.reason]),
        [
          ['certificate', 1, 0, 'sealed'],
          ['certificate', 2, 1, 'tsa-expiry'],
          ['document', 1, 0, 'sealed'],
          ['document', 2, 1, 'tsa-expiry'],
        ],
      );
      const [, , v1, v2] = rows;
      assert.equal(v2!.sha256_original, v1!.sha256);
      assert.equal(v2!.sha256_previous, v1!.sha256);
      assert.notEqual(v2!.sha256, v1!.sha256);
      assert.ok(Date.parse(v2!.tsa_expires_at!) > Date.parse(v1!.tsa_expires_at!) + 365 * DAY);

      // The download is the renewed version: the sealed file plus an incremental update.
      const envelope = (await h.api(h.org, 'GET', `/api/v1/envelopes/${envelopeId}`)).json();
      const download = await h.api(
        h.org,
        'GET',
        `/api/v1/envelopes/${envelopeId}/documents/${envelope.documents[0].id}`,
      );
      const renewed = new Uint8Array(download.rawPayload);
      assert.equal(Buffer.compare(renewed.subarray(0, sealedPdf.length), sealedPdf), 0, 'incremental update');
      assert.equal(newestArchiveTimestamp(renewed)?.documentTimestamps, 2);

      // The proof: after the old TSA certificate expired, the renewed file verifies; the sealed one does not.
      const at = new Date(shortTsaNotAfter.getTime() + 2 * DAY);
      const unrenewed = await verifyAt(sealedPdf, at);
      assert.equal(unrenewed.code, 1, unrenewed.stdout + unrenewed.stderr);
      const checked = await verifyAt(renewed, at);
      assert.equal(checked.code, 0, checked.stdout + checked.stderr);
      const report = JSON.parse(checked.stdout);
      const stamps = report.signatures.filter((s: { type: string }) => s.type === 'document-timestamp');
      assert.equal(stamps.length, 2);
      assert.ok(stamps.every((s: { status: string }) => s.status === 'valid'));
      // The expired TSA's timestamp is now validated at the time the renewal's timestamp proves.
      assert.match(stamps[0].timestamp.tsa, /Short-lived Test TSA/);
      assert.equal(stamps[0].validationTime, stamps[1].timestamp.time);
      assert.ok(Date.parse(stamps[0].validationTime) < shortTsaNotAfter.getTime());

      // The register entry serves and names the current version, and keeps the original hash.
      const entries = (await h.api(h.org, 'GET', `/api/v1/contracts?q=${encodeURIComponent('庁舎清掃')}`)).json();
      const entry = (await h.api(h.org, 'GET', `/api/v1/contracts/${entries.items[0].id}`)).json();
      const signed = entry.documents.find((d: { kind: string }) => d.kind === 'signed');
      assert.equal(signed.sha256, v2!.sha256);
      assert.deepEqual(signed.archive, {
        version: 2,
        sha256Original: v1!.sha256,
        renewedAt: v2!.renewed_at,
        tsaExpiresAt: v2!.tsa_expires_at,
      });

      // The online certificate of completion lists the versions.
      const publicCertificate = await h.app.inject({
        method: 'GET',
        url: `/api/verify/certificates/${envelope.certificateId}`,
      });
      assert.equal(publicCertificate.statusCode, 200, publicCertificate.body);
      const listedDocument = publicCertificate.json().documents[0];
      assert.equal(listedDocument.sha256Signed, v1!.sha256);
      assert.deepEqual(
        listedDocument.versions.map((v: { version: number; sha256: string; current: boolean }) => [
          v.version,
          v.sha256,
          v.current,
        ]),
        [
          [1, v1!.sha256, false],
          [2, v2!.sha256, true],
        ],
      );

      const events = await h.context.db
        .selectFrom('events')
        .select(['details', 'actor_type'])
        .where('envelope_id', '=', envelopeId)
        .where('action', '=', 'document.archive-renewed')
        .execute();
      assert.equal(events.length, 2, 'one event per file');

      const listed = (await h.api(h.org, 'GET', '/api/v1/renewals')).json();
      const done = listed.done.filter((d: { envelopeId: string }) => d.envelopeId === envelopeId);
      assert.deepEqual(
        done.map((d: { version: number }) => d.version),
        [2, 2],
      );
      assert.ok(listed.upcoming.every((u: { due: boolean }) => !u.due));
    });

    it('two runs racing on a due file make one new version', async () => {
      // Make the current document version due again by its hash (as if SHA-1): both runs find it.
      await h.context.db
        .updateTable('archive_versions')
        .set({ timestamp_hash: 'sha1' })
        .where('envelope_id', '=', envelopeId)
        .where('subject_kind', '=', 'document')
        .where('current', '=', 1)
        .execute();
      const day = renewalDay(h.clock.now());
      const results = await Promise.allSettled([
        renewArchiveTimestamps(h.context, { day }),
        renewArchiveTimestamps(h.context, { day }),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'fulfilled'],
        JSON.stringify(results),
      );
      const renewedCount = results.reduce((n, r) => n + (r.status === 'fulfilled' ? r.value.renewed : 0), 0);
      assert.equal(renewedCount, 1);
      const rows = (await versions()).filter((v) => v.subject_kind === 'document');
      assert.deepEqual(
        rows.map((v) => [v.version, v.current, v.reason]),
        [
          [1, 0, 'sealed'],
          [2, 0, 'tsa-expiry'],
          [3, 1, 'weak-hash'],
        ],
      );
    });

    it('a renewal refused because the TSA certificate is near its end mails the administrators, once a day', async () => {
      // The current versions are due (as if their TSA certificate ended tomorrow), and the only TSA for
      // renewal has a certificate that ends within the margin too: a new timestamp would not help.
      const dueAt = new Date(h.clock.now().getTime() + DAY).toISOString();
      await h.context.db
        .updateTable('archive_versions')
        .set({ tsa_expires_at: dueAt })
        .where('envelope_id', '=', envelopeId)
        .where('current', '=', 1)
        .execute();
      const before = await versions();
      const ending = await useShortLivedTsa(h.context.signing, { days: 3, name: 'Ending Test TSA' });
      const day = renewalDay(h.clock.now());
      try {
        // Two runs (the job's retry): the run fails each time, the notice is queued once.
        for (let i = 0; i < 2; i++)
          await assert.rejects(renewArchiveTimestamps(h.context, { day }), /the TSA needs a newer certificate/);
      } finally {
        ending.restore();
      }
      assert.deepEqual(await versions(), before, 'nothing renewed');
      const queued = await h.context.db
        .selectFrom('jobs')
        .select(['payload', 'status'])
        .where('kind', '=', 'mail.renewal-refused')
        .execute();
      assert.equal(queued.length, 1, JSON.stringify(queued));
      assert.deepEqual(
        { ...JSON.parse(queued[0]!.payload), tsaNotAfter: undefined },
        { organizationId: h.org.id, day, files: 2, tsaNotAfter: undefined },
      );
      const [worker] = runners(1);
      await worker!.idle();
      await worker!.stop();
      const notices = (await h.mailsTo(h.org.admin.email)).filter((m) =>
        /タイムスタンプを更新できません/.test(m.subject),
      );
      assert.equal(notices.length, 1);
      assert.match(notices[0]!.text_body, /保管文書2件のタイムスタンプ（LTA）の更新を、本日は行いませんでした/);
      assert.match(notices[0]!.text_body, /LTA renewal of 2 archived file\(s\)/);
      assert.ok(notices[0]!.text_body.indexOf('本日は') < notices[0]!.text_body.indexOf('was not done today'));
      assert.match(notices[0]!.text_body, /\/contracts\/renewals/);
      // Another organisation's administrators hear nothing.
      assert.equal(
        (await h.mailsTo(h.other.admin.email)).filter((m) => /タイムスタンプを更新できません/.test(m.subject)).length,
        0,
      );
      // A second delivery of the same job (a retry) sends nothing more.
      await sendRenewalRefusedMail(h.context, JSON.parse(queued[0]!.payload));
      assert.equal(
        (await h.mailsTo(h.org.admin.email)).filter((m) => /タイムスタンプを更新できません/.test(m.subject)).length,
        1,
      );
    });
  });
}
