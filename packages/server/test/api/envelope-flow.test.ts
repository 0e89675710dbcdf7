// The envelope flow through the HTTP API, on SQLite and PostgreSQL: create → send → request mail →
// access code → view → sign (twice: one signature) → next recipient → seal → completion mails →
// download; checked with the core's verifier and pdfsig with the installation's root trusted.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyPdf } from '@inkan/core';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { createNssDb, pdftotextBbox, toPem } from '../../../core/test/helpers/validators.ts';
import { assertAcceptedByValidators } from '../../../core/test/helpers/assert-validators.ts';
import { verifyEventChain } from '../../src/domain/record-event.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { linkIn, snapshot, startHarness, type Harness } from './helpers/harness.ts';

for (const dialect of DIALECTS) {
  describe(`envelope flow (${dialect})`, () => {
    let h: Harness;
    let work: string;
    let pdfA: Uint8Array;
    let pdfB: Uint8Array;

    before(async () => {
      work = mkdtempSync(join(tmpdir(), 'inkan-flow-'));
      h = await startHarness(dialect);
      [pdfA, pdfB] = await Promise.all([
        makePdf({ pages: 2, text: 'Contract A' }),
        makePdf({ pages: 1, text: 'Contract B' }),
      ]);
    });
    after(async () => {
      await h?.close();
      rmSync(work, { recursive: true, force: true });
    });

    const signer = (
      token: string,
      path: string,
      method: 'GET' | 'POST',
      session?: { cookie: string; csrf: string },
      body?: object,
    ) =>
      h.app.inject({
        method,
        url: `/api/sign/${token}${path}`,
        headers: {
          'accept-language': 'ja',
          'user-agent': 'flow-test/1.0',
          ...(session ? { cookie: session.cookie, 'x-csrf-token': session.csrf } : {}),
        },
        ...(body ? { payload: body } : {}),
      });

    async function passCode(token: string, code: string): Promise<{ cookie: string; csrf: string }> {
      const res = await signer(token, '/access-code', 'POST', undefined, { code });
      assert.equal(res.statusCode, 200, res.body);
      const setCookie = res.cookies.find((c) => c.name === 'inkan_signer');
      assert.ok(setCookie, 'signer cookie set');
      assert.equal(setCookie.path, `/api/sign/${token}/`);
      assert.equal(setCookie.httpOnly, true);
      assert.equal(setCookie.sameSite, 'Strict');
      return { cookie: `inkan_signer=${setCookie.value}`, csrf: res.json().csrfToken };
    }

    it('two recipients sign two documents; the PDFs carry two valid signatures and a document timestamp', async () => {
      const created = await h.createEnvelope(
        h.org,
        {
          name: '令和7年度 道路補修工事 請負契約',
          message: 'ご確認のうえ署名をお願いします。',
          recipients: [
            { name: '山田 太郎', email: 'taro@contractor.example.jp', accessCode: '1234', order: 1 },
            { name: 'Alice Smith', email: 'alice@example.com', accessCode: '98765', order: 2, language: 'en' },
          ],
        },
        [
          { filename: '契約書.pdf', data: pdfA },
          { filename: '仕様書.pdf', data: pdfB },
        ],
      );
      assert.equal(created.statusCode, 201, created.body);
      const envelope = created.json();
      assert.equal(envelope.status, 'draft');
      assert.match(envelope.certificateId, /^IK-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
      assert.deepEqual(
        envelope.documents.map((d: { name: string; pages: number }) => [d.name, d.pages]),
        [
          ['契約書.pdf', 2],
          ['仕様書.pdf', 1],
        ],
      );
      assert.deepEqual(
        envelope.recipients.map((r: { status: string; order: number }) => [r.order, r.status]),
        [
          [1, 'pending'],
          [2, 'pending'],
        ],
      );
      // Codes the sender typed are never echoed.
      assert.equal(envelope.recipients[0].accessCode, undefined);

      const sent = await h.api(h.org, 'POST', `/api/v1/envelopes/${envelope.id}/send`);
      assert.equal(sent.statusCode, 200, sent.body);
      assert.equal(sent.json().status, 'sent');
      assert.notEqual(sent.json().documents[0].sha256, envelope.documents[0].sha256, 'the stamp changed the file');
      const again = await h.api(h.org, 'POST', `/api/v1/envelopes/${envelope.id}/send`);
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().error.code, 'ENVELOPE_NOT_DRAFT');

      // The certificate ID sits bottom-left on page 1 before anyone signs.
      const stamped = await h.api(
        h.org,
        'GET',
        `/api/v1/envelopes/${envelope.id}/documents/${envelope.documents[0].id}`,
      );
      assert.equal(stamped.statusCode, 200);
      const bbox = await pdftotextBbox(stamped.rawPayload, 1);
      const idWord = bbox.words.find((w) => w.text.includes(envelope.certificateId));
      assert.ok(idWord, `certificate id on page 1: ${JSON.stringify(bbox.words.slice(-5))}`);
      assert.ok(idWord.xMin < bbox.width / 3 && idWord.yMin > (bbox.height * 2) / 3, 'bottom-left');

      await h.runJobs();
      const [request1] = await h.mailsTo('taro@contractor.example.jp');
      assert.ok(request1, 'request mail to the first recipient');
      assert.equal(
        request1.subject,
        '【テスト市役所 契約課】様より令和7年度 道路補修工事 請負契約への署名依頼が届いています',
      );
      assert.match(request1.from_address, /no-reply@localhost/);
      assert.match(request1.html_body, /<a href="http:\/\/inkan\.test\/s\//);
      assert.match(request1.text_body, /アクセスコード/);
      // The code as a token of its own: hex hashes and base64url tokens may contain the digits by chance.
      assert.doesNotMatch(request1.text_body, /(?<![0-9A-Za-z_-])1234(?![0-9A-Za-z_-])/, 'the code is not in the mail');
      assert.equal((await h.mailsTo('alice@example.com')).length, 0, 'the second recipient waits for the first');
      const token1 = linkIn(request1.text_body, 's');
      assert.ok(token1.length >= 22, '≥128 bits');

      // Opening the link changes nothing and shows nothing about the documents.
      const before = await snapshot(h);
      const state = await signer(token1, '', 'GET');
      assert.equal(state.statusCode, 200);
      assert.deepEqual(state.json(), {
        state: 'code_required',
        language: 'ja',
        senderOrganization: 'テスト市役所 契約課',
        // Created with an API key: no person to name, the organisation only.
        sender: {
          organization: 'テスト市役所 契約課',
          name: null,
          email: null,
          phone: null,
          organizationContact: null,
          logoPath: null,
        },
        maxAttempts: 5,
      });
      assert.doesNotMatch(state.body, /契約書|道路補修/);
      const page = await h.app.inject({ method: 'GET', url: `/s/${token1}` });
      assert.ok([200, 503].includes(page.statusCode), 'the signer page (the UI may not be built here)');
      await h.app.inject({ method: 'HEAD', url: `/api/sign/${token1}` });
      assert.deepEqual(await snapshot(h), before, 'GET of the signing link changed nothing');

      // A wrong code, then the right one.
      const wrong = await signer(token1, '/access-code', 'POST', undefined, { code: '0000' });
      assert.equal(wrong.statusCode, 401);
      assert.equal(wrong.json().error.code, 'ACCESS_CODE_WRONG');
      assert.equal(wrong.json().error.details.remainingAttempts, 4);
      assert.match(wrong.json().error.message, /アクセスコードが正しくありません/);
      const session1 = await passCode(token1, '1234');
      const view = await signer(token1, '/view', 'GET', session1);
      assert.equal(view.statusCode, 200);
      assert.equal(view.json().envelope.name, '令和7年度 道路補修工事 請負契約');
      assert.equal(view.json().documents.length, 2);
      assert.equal(view.json().recipient.canSign, true);
      const document = await signer(token1, `/documents/${view.json().documents[1].id}`, 'GET', session1);
      assert.equal(document.statusCode, 200);
      assert.equal(document.headers['content-type'], 'application/pdf');
      assert.equal(Buffer.from(document.rawPayload).subarray(0, 5).toString('latin1'), '%PDF-');
      assert.equal((await signer(token1, '/viewed', 'POST', session1)).statusCode, 204);
      assert.equal(
        (await h.api(h.org, 'GET', `/api/v1/envelopes/${envelope.id}`)).json().recipients[0].status,
        'viewed',
      );

      // Without the CSRF token, nothing is signed.
      const noCsrf = await signer(token1, '/sign', 'POST', { cookie: session1.cookie, csrf: 'nope' });
      assert.equal(noCsrf.statusCode, 403);
      assert.equal(noCsrf.json().error.code, 'CSRF_FAILED');

      // A double click: two sign requests at once, then a retry. One signature, one job.
      const [s1, s2] = await Promise.all([
        signer(token1, '/sign', 'POST', session1),
        signer(token1, '/sign', 'POST', session1),
      ]);
      assert.equal(s1.statusCode, 202, s1.body);
      assert.equal(s2.statusCode, 202, s2.body);
      assert.equal(s1.json().recipient.status, 'signed');
      assert.equal((await signer(token1, '/sign', 'POST', session1)).statusCode, 202);
      const signJobs = await h.context.db.selectFrom('jobs').select('id').where('kind', '=', 'envelope.sign').execute();
      assert.equal(signJobs.length, 1, 'one signing job');
      const signedEvents = await h.context.db
        .selectFrom('events')
        .selectAll()
        .where('envelope_id', '=', envelope.id)
        .where('action', '=', 'recipient.signed')
        .execute();
      assert.equal(signedEvents.length, 1);
      assert.equal(signedEvents[0].ip, '127.0.0.1');
      assert.equal(signedEvents[0].user_agent, 'flow-test/1.0');
      const signedDetails = JSON.parse(signedEvents[0].details);
      assert.equal(signedDetails.auth, 'email + access code');
      assert.equal(signedDetails.email, 'taro@contractor.example.jp');
      assert.equal(signedDetails.documents.length, 2);

      // The second recipient cannot sign before being invited; the job applies signature 1 and invites them.
      await h.runJobs();
      const [request2] = await h.mailsTo('alice@example.com');
      assert.ok(request2, 'request mail to the second recipient after the first signature');
      assert.equal(request2.subject, 'テスト市役所 契約課 has sent you "令和7年度 道路補修工事 請負契約" to sign');
      const token2 = linkIn(request2.text_body, 's');
      const state2 = await signer(token2, '', 'GET');
      assert.equal(state2.json().language, 'en');
      const session2 = await passCode(token2, '98765');
      assert.equal((await signer(token2, '/sign', 'POST', session2)).statusCode, 202);
      await h.runJobs();

      const done = (await h.api(h.org, 'GET', `/api/v1/envelopes/${envelope.id}`)).json();
      assert.equal(done.status, 'completed');
      assert.ok(done.completedAt);
      assert.deepEqual(
        done.recipients.map((r: { status: string }) => r.status),
        ['signed', 'signed'],
      );

      // Completion mail to both recipients and the sender, each with a download link.
      const nss = await createNssDb(h.context.signing.trustAnchors[0], { parentDir: work });
      for (const address of ['taro@contractor.example.jp', 'alice@example.com', h.org.admin.email]) {
        const mails = await h.mailsTo(address);
        const completion = mails.find(
          (m) => m.subject === '電子署名完了のお知らせ' || m.subject.startsWith('Signing completed'),
        );
        assert.ok(completion, `completion mail to ${address}: ${mails.map((m) => m.subject).join(' | ')}`);
        assert.match(completion.text_body, /ダウンロード|Download/);
        const downloadToken = linkIn(completion.text_body, 'd');
        const info = await h.app.inject({ method: 'GET', url: `/api/download/${downloadToken}` });
        assert.equal(info.statusCode, 200, info.body);
        assert.equal(info.json().envelope.certificateId, envelope.certificateId);
        assert.equal(info.json().documents.length, 2);
        if (address !== 'taro@contractor.example.jp') continue;
        for (const d of info.json().documents) {
          const file = await h.app.inject({ method: 'GET', url: `/api/download/${downloadToken}/documents/${d.id}` });
          assert.equal(file.statusCode, 200);
          assert.match(String(file.headers['content-disposition']), /^attachment;/);
          const bytes = new Uint8Array(file.rawPayload);
          const report = await verifyPdf(bytes, { trustAnchors: h.context.signing.trustAnchors });
          const signatures = report.signatures.filter((s) => s.type === 'signature');
          assert.deepEqual(
            signatures.map((s) => s.claimed.name),
            ['山田 太郎 <taro@contractor.example.jp>', 'Alice Smith <alice@example.com>'],
          );
          assert.ok(signatures.every((s) => s.claimed.reason === 'email + access code' && s.signer?.email !== null));
          assert.deepEqual(
            signatures.map((s) => s.level),
            ['B-LTA', 'B-LTA'],
          );
          assert.equal(
            report.signatures.filter((s) => s.type === 'document-timestamp').length,
            1,
            'sealed with a document timestamp',
          );
          assert.equal(report.exitCode, 0, report.summary + JSON.stringify(report.signatures.map((s) => s.problems)));
          await assertAcceptedByValidators(bytes, {
            signatures: 2,
            documentTimestamps: 1,
            nssDir: nss,
            rootPem: h.context.signing.pki.rootPem(),
            untrustedPem: toPem(h.context.signing.pki.issuingCertificate),
          });
        }
      }
      assert.equal((await h.mailsTo('taro@contractor.example.jp')).length, 2, 'request + completion, nothing twice');

      // The operation log is an intact hash chain.
      const chain = await verifyEventChain(h.context.db);
      assert.equal(chain.brokenAt, null);
      const events = await h.api(h.org, 'GET', `/api/v1/envelopes/${envelope.id}/events`);
      const actions = events.json().items.map((e: { action: string }) => e.action);
      for (const action of [
        'envelope.created',
        'envelope.sent',
        'recipient.code-failed',
        'recipient.code-passed',
        'recipient.viewed',
        'recipient.signed',
        'recipient.signature-applied',
        'envelope.sealed',
        'envelope.completed',
        'mail.completion.sent',
      ]) {
        assert.ok(actions.includes(action), `timeline has ${action}: ${actions.join(', ')}`);
      }
      assert.doesNotMatch(
        events.body,
        /(?<![0-9A-Za-z_-])(?:1234|98765)(?![0-9A-Za-z_-])/,
        'no access code in the log',
      );
    });
  });
}
