// The certificate of completion (契約締結証明書) in the envelope flow, on SQLite and PostgreSQL: issued
// when the envelope completes, signed and sealed by the platform (B-LTA) so that pdfsig, mutool and
// openssl accept it, holding the documents' hashes (original and signed) and the parties in Japanese
// text that pdftotext extracts; served to the sender (404 before, 404 to others), through the
// ダウンロード link, and attached to the completion mail when the organisation says so.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyPdf } from '@inkan/core';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { createNssDb, runTool, toPem } from '../../../core/test/helpers/validators.ts';
import { assertAcceptedByValidators } from '../../../core/test/helpers/assert-validators.ts';
import { issueCompletionCertificate } from '../../src/domain/use-cases/issue-completion-certificate.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { startHarness, type Harness } from '../api/helpers/harness.ts';
import { asSender, completeEnvelope, downloadToken, signIn } from './helpers/flow.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

for (const dialect of DIALECTS) {
  describe(`certificate of completion (${dialect})`, () => {
    let h: Harness;
    let work: string;

    before(async () => {
      work = mkdtempSync(join(tmpdir(), 'inkan-certificate-'));
      h = await startHarness(dialect);
    });
    after(async () => {
      await h?.close();
      rmSync(work, { recursive: true, force: true });
    });

    it('is issued on completion, passes the validators and states the hashes and parties', async () => {
      // The organisation asks for the certificate in the completion mail (administrators only).
      const admin = await signIn(h, h.org.admin.email, h.org.admin.password);
      assert.equal(
        (await h.api(h.org, 'PATCH', '/api/v1/organization/settings', { attachCertificate: true })).statusCode,
        403,
        'API keys may not',
      );
      const viewer = await signIn(h, h.org.viewer.email, h.org.viewer.password);
      assert.equal(
        (await asSender(h, viewer, 'PATCH', '/api/v1/organization/settings', { attachCertificate: true })).statusCode,
        403,
        'viewers may not',
      );
      const changed = await asSender(h, admin, 'PATCH', '/api/v1/organization/settings', { attachCertificate: true });
      assert.equal(changed.statusCode, 200, changed.body);
      assert.deepEqual(changed.json(), {
        attachCertificate: true,
        mfaRequired: false,
        sessionIdleMinutes: null,
        sessionAbsoluteHours: null,
        autoRemindDays: 0,
      });

      const [pdfA, pdfB] = await Promise.all([
        makePdf({ pages: 2, text: 'Contract A' }),
        makePdf({ pages: 1, text: 'Contract B' }),
      ]);
      const parties = [
        { name: '山田 太郎', email: 'taro@contractor.example.jp', code: '48213976' },
        { name: '佐藤 花子', email: 'hanako@example.jp', code: '90357124' },
      ];
      // Not issued before completion: 404, like an unknown envelope.
      const draft = await h.createEnvelope(
        h.org,
        { name: 'x', recipients: [{ name: 'a', email: 'a@example.jp', order: 1 }] },
        [{ filename: 'a.pdf', data: pdfB }],
      );
      assert.equal((await h.api(h.org, 'GET', `/api/v1/envelopes/${draft.json().id}/certificate`)).statusCode, 404);

      const id = await completeEnvelope(h, h.org, {
        name: '令和7年度 道路補修工事 請負契約',
        recipients: parties,
        documents: [
          { filename: '契約書.pdf', data: pdfA },
          { filename: '仕様書.pdf', data: pdfB },
        ],
      });
      const envelope = (await h.api(h.org, 'GET', `/api/v1/envelopes/${id}`)).json();
      assert.equal(envelope.status, 'completed');

      const res = await h.api(h.org, 'GET', `/api/v1/envelopes/${id}/certificate`);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['content-type'], 'application/pdf');
      assert.match(
        String(res.headers['content-disposition']),
        new RegExp(
          `^attachment;.*filename\\*=UTF-8''${encodeURIComponent(`契約締結証明書_${envelope.certificateId}.pdf`)}`,
        ),
      );
      const certificate = new Uint8Array(res.rawPayload);
      const stored = await h.context.db
        .selectFrom('envelopes')
        .select(['certificate_sha256', 'certificate_blob'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.equal(stored.certificate_sha256, sha256(certificate));

      // Another organisation: 404, nothing recorded for it.
      assert.equal((await h.api(h.other, 'GET', `/api/v1/envelopes/${id}/certificate`)).statusCode, 404);

      // Signed by the platform, with a signature timestamp, validation data and a document timestamp.
      const report = await verifyPdf(certificate, { trustAnchors: h.context.signing.trustAnchors });
      assert.equal(report.exitCode, 0, report.summary);
      const signatures = report.signatures.filter((s) => s.type === 'signature');
      assert.equal(signatures.length, 1);
      assert.equal(signatures[0].level, 'B-LTA');
      assert.equal(signatures[0].claimed.reason, `契約締結証明書 ${envelope.certificateId}`);
      assert.equal(report.signatures.filter((s) => s.type === 'document-timestamp').length, 1);
      const nss = await createNssDb(h.context.signing.trustAnchors[0], { parentDir: work });
      await assertAcceptedByValidators(certificate, {
        signatures: 1,
        documentTimestamps: 1,
        nssDir: nss,
        rootPem: h.context.signing.pki.rootPem(),
        untrustedPem: toPem(h.context.signing.pki.issuingCertificate),
      });

      // Its text: title, ID, parties, and each document's SHA-256 before and after signing, equal to the
      // envelope's and to the files the parties download.
      const path = join(work, 'certificate.pdf');
      writeFileSync(path, certificate);
      if (process.env.INKAN_EVIDENCE_OUT)
        writeFileSync(join(process.env.INKAN_EVIDENCE_OUT, `certificate-${dialect}.pdf`), certificate);
      const text = (await runTool('pdftotext', ['-enc', 'UTF-8', path, '-'])).stdout;
      const flat = text.replace(/\s+/g, '');
      for (const phrase of [
        '契約締結証明書',
        envelope.certificateId,
        '令和7年度道路補修工事請負契約',
        '山田太郎',
        '佐藤花子',
        'taro@contractor.example.jp',
        'テスト市役所契約課',
        '契約書.pdf',
        '仕様書.pdf',
        'アクセスコード',
        '127.0.0.1',
        'evidence-test',
        'http://inkan.test/verify',
      ]) {
        assert.ok(flat.includes(phrase.replace(/\s+/g, '')), `pdftotext finds "${phrase}":\n${text.slice(0, 3000)}`);
      }
      const link = await downloadToken(h, parties[0].email);
      for (const document of envelope.documents) {
        const original = await h.context.db
          .selectFrom('documents')
          .select(['sha256_original', 'sha256_current'])
          .where('id', '=', document.id)
          .executeTakeFirstOrThrow();
        const file = await h.app.inject({ method: 'GET', url: `/api/download/${link}/documents/${document.id}` });
        assert.equal(
          sha256(new Uint8Array(file.rawPayload)),
          document.sha256,
          'the downloaded file is the one the envelope names',
        );
        assert.equal(original.sha256_current, document.sha256);
        assert.ok(flat.includes(document.sha256Original), `original SHA-256 ${document.sha256Original} printed`);
        assert.ok(flat.includes(document.sha256), `signed SHA-256 ${document.sha256} printed`);
      }

      // The same certificate through the ダウンロード link, recorded as the recipient's download.
      const info = await h.app.inject({ method: 'GET', url: `/api/download/${link}` });
      assert.equal(info.json().certificate, true);
      const viaLink = await h.app.inject({
        method: 'GET',
        url: `/api/download/${link}/certificate`,
        headers: { 'user-agent': 'link-browser/2' },
      });
      assert.equal(viaLink.statusCode, 200);
      assert.equal(sha256(new Uint8Array(viaLink.rawPayload)), stored.certificate_sha256);
      const downloads = await h.context.db
        .selectFrom('events')
        .selectAll()
        .where('envelope_id', '=', id)
        .where('action', '=', 'certificate.downloaded')
        .orderBy('seq')
        .execute();
      assert.deepEqual(
        downloads.map((e) => [e.actor_type, JSON.parse(e.details).via, e.user_agent]),
        [
          ['api_key', 'api-key', 'lightMyRequest'],
          ['recipient', 'download-link', 'link-browser/2'],
        ],
      );
      assert.ok(JSON.parse(downloads[1].details).linkCreatedAt);

      // The completion mails carry it (names recorded; the bytes are not kept in the outbox).
      for (const address of [parties[0].email, parties[1].email, h.org.admin.email]) {
        const mail = (await h.mailsTo(address)).find((m) => m.subject === '電子署名完了のお知らせ');
        assert.ok(mail, address);
        assert.deepEqual(JSON.parse(mail.attachment_names ?? 'null'), [`契約締結証明書_${envelope.certificateId}.pdf`]);
        assert.match(mail.text_body, /添付ファイル: 契約締結証明書/);
      }

      // One issue, one key use, whatever retries happen.
      const before = await h.context.db.selectFrom('events').select('id').where('envelope_id', '=', id).execute();
      await issueCompletionCertificate(h.context, { envelopeId: id });
      await h.runJobs();
      const afterRetry = await h.context.db
        .selectFrom('envelopes')
        .select('certificate_blob')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.equal(afterRetry.certificate_blob, stored.certificate_blob);
      assert.equal(
        (await h.context.db.selectFrom('events').select('id').where('envelope_id', '=', id).execute()).length,
        before.length,
      );
      const issued = await h.context.db
        .selectFrom('events')
        .selectAll()
        .where('envelope_id', '=', id)
        .where('action', 'in', ['envelope.certificate-issued', 'key.used'])
        .orderBy('seq')
        .execute();
      const certificateKeyUse = issued.filter(
        (e) => e.action === 'key.used' && JSON.parse(e.details).purpose === 'certificate-of-completion',
      );
      assert.equal(issued.filter((e) => e.action === 'envelope.certificate-issued').length, 1);
      assert.equal(certificateKeyUse.length, 1);
      const platform = new (await import('node:crypto')).X509Certificate(
        h.context.signing.platformSigner.certificateChain[0],
      );
      assert.equal(JSON.parse(certificateKeyUse[0].details).key.certificateSerial, platform.serialNumber.toLowerCase());
    });
  });
}
