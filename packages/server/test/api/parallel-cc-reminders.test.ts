// Issue 11 parts 5 and 8b through the HTTP API, on SQLite and PostgreSQL: parallel signers (same order)
// in either order, the next group after them; CC recipients who get the completion mail only; two
// parallel signatures racing in the signing job (one incremental update each, both valid); the
// リマインド button (a new link, the old one kept, same code, rate-limited) and 自動リマインド with a controlled clock.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyPdf } from '@inkan/core';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { assertAcceptedByValidators } from '../../../core/test/helpers/assert-validators.ts';
import { createNssDb, pdfText, toPem } from '../../../core/test/helpers/validators.ts';
import { applyRecipientSignature } from '../../src/domain/use-cases/apply-recipient-signature.ts';
import { scheduleExpirySweep } from '../../src/domain/use-cases/expire-envelopes.ts';
import { updateOrganizationSettings } from '../../src/domain/use-cases/update-organization-settings.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { asSession, signIn } from './helpers/admin-session.ts';
import { passSignerCode, signerRequest as signerRequestOf, type SignerSession } from './helpers/signer-session.ts';
import { counts, linkIn, type Harness, startHarness } from './helpers/harness.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;

for (const dialect of DIALECTS) {
  describe(`parallel signing, CC and reminders (${dialect})`, () => {
    let h: Harness;
    let pdf: Uint8Array;
    let work: string;

    before(async () => {
      work = mkdtempSync(join(tmpdir(), 'inkan-parallel-'));
      h = await startHarness(dialect);
      pdf = await makePdf({ pages: 1, text: 'Parallel contract' });
    });
    after(async () => {
      await h?.close();
      rmSync(work, { recursive: true, force: true });
    });

    const signerRequest = (token: string, path: string, method: 'GET' | 'POST', session?: SignerSession) =>
      signerRequestOf(h, token, path, method, session);
    const passCode = (token: string, code: string) => passSignerCode(h, token, code);

    /** The signing link of the latest mail to an address whose subject matches. */
    async function linkTo(address: string, subject = /署名依頼|to sign/): Promise<string> {
      const mails = (await h.mailsTo(address)).filter((m) => subject.test(m.subject));
      assert.ok(mails.length > 0, `a mail to ${address}`);
      return linkIn(mails[mails.length - 1].text_body, 's');
    }

    async function create(
      recipients: unknown[],
      name = '並行署名の契約',
    ): Promise<{ id: string; recipients: Array<{ id: string; email: string; role: string; order: number }> }> {
      const res = await h.createEnvelope(h.org, { name, recipients }, [{ filename: '契約書.pdf', data: pdf }]);
      assert.equal(res.statusCode, 201, res.body);
      return res.json();
    }

    async function signWith(address: string, code: string): Promise<void> {
      const token = await linkTo(address);
      const session = await passCode(token, code);
      const signed = await signerRequest(token, '/sign', 'POST', session);
      assert.equal(signed.statusCode, 202, signed.body);
    }

    const suffix = () => Math.random().toString(36).slice(2, 8);

    for (const firstSigner of ['a', 'b'] as const) {
      it(`two signers of order 1 sign in either order (${firstSigner} first); order 2 follows; CC gets the completion mail only`, async () => {
        const s = suffix();
        const a = `a-${s}@example.jp`;
        const b = `b-${s}@example.com`;
        const c = `c-${s}@example.jp`;
        const cc = `cc-${s}@example.jp`;
        const envelope = await create([
          { name: '甲 一郎', email: a, accessCode: '1111', order: 1 },
          { name: 'Bob Parallel', email: b, accessCode: '2222', order: 1, language: 'en' },
          { name: '丙 三郎', email: c, accessCode: '3333', order: 2 },
          { name: '経理部', email: cc, role: 'cc' },
        ]);
        // The API lists the signers in order, then the CC, who has no order and no code.
        assert.deepEqual(
          envelope.recipients.map((r) => [r.email, r.role, r.order]),
          [
            [a, 'signer', 1],
            [b, 'signer', 1],
            [c, 'signer', 2],
            [cc, 'cc', 0],
          ],
        );
        assert.equal((envelope.recipients[3] as { accessCode?: string }).accessCode, undefined);

        const sent = await h.api(h.org, 'POST', `/api/v1/envelopes/${envelope.id}/send`);
        assert.equal(sent.statusCode, 200, sent.body);
        await h.runJobs();
        // Both signers of order 1 get the request at once; order 2 and the CC get nothing yet.
        assert.equal((await h.mailsTo(a)).length, 1);
        assert.equal((await h.mailsTo(b)).length, 1);
        assert.equal((await h.mailsTo(c)).length, 0, 'order 2 waits for the whole first group');
        assert.equal((await h.mailsTo(cc)).length, 0, 'a CC gets no signing request');

        const [first, second] =
          firstSigner === 'a'
            ? [
                [a, '1111'],
                [b, '2222'],
              ]
            : [
                [b, '2222'],
                [a, '1111'],
              ];
        await signWith(first[0], first[1]);
        await h.runJobs();
        assert.equal((await h.mailsTo(c)).length, 0, 'one of the group signed: order 2 still waits');
        // The third signer cannot sign ahead of the group (no link yet); the second still can.
        await signWith(second[0], second[1]);
        await h.runJobs();
        assert.equal((await h.mailsTo(c)).length, 1, 'the group is done: order 2 is asked');
        await signWith(c, '3333');
        await h.runJobs();

        const done = (await h.api(h.org, 'GET', `/api/v1/envelopes/${envelope.id}`)).json();
        assert.equal(done.status, 'completed');
        assert.deepEqual(
          done.recipients.map((r: { role: string; status: string }) => [r.role, r.status]),
          [
            ['signer', 'signed'],
            ['signer', 'signed'],
            ['signer', 'signed'],
            ['cc', 'pending'],
          ],
        );
        // The CC got exactly one mail: the completion mail, with a working download link.
        const ccMails = await h.mailsTo(cc);
        assert.deepEqual(
          ccMails.map((m) => m.subject),
          ['電子署名完了のお知らせ'],
        );
        const download = await h.app.inject({
          method: 'GET',
          url: `/api/download/${linkIn(ccMails[0].text_body, 'd')}`,
        });
        assert.equal(download.statusCode, 200, download.body);

        // Three signatures, in the order they were given, each its own revision.
        const document = await h.api(
          h.org,
          'GET',
          `/api/v1/envelopes/${envelope.id}/documents/${done.documents[0].id}`,
        );
        const report = await verifyPdf(new Uint8Array(document.rawPayload), {
          trustAnchors: h.context.signing.trustAnchors,
        });
        const names = report.signatures.filter((x) => x.type === 'signature').map((x) => x.claimed.name);
        const expectedFirst = firstSigner === 'a' ? ['甲 一郎', 'Bob Parallel'] : ['Bob Parallel', '甲 一郎'];
        assert.deepEqual(
          names.map((n) => n?.replace(/ <.*>$/, '')),
          [...expectedFirst, '丙 三郎'],
        );
        assert.equal(report.exitCode, 0, report.summary);
        const events = (await h.api(h.org, 'GET', `/api/v1/envelopes/${envelope.id}/events`)).json().items as Array<{
          action: string;
          details: { recipientId?: string };
        }>;
        assert.equal(events.filter((e) => e.action === 'recipient.signature-applied').length, 3);

        // The certificate of completion names the three signers and the CC as 受信者 (CC), who did not sign.
        const certificate = await h.api(h.org, 'GET', `/api/v1/envelopes/${envelope.id}/certificate`);
        assert.equal(certificate.statusCode, 200, certificate.body);
        const text = (await pdfText(new Uint8Array(certificate.rawPayload))).replace(/\s+/g, ' ');
        assert.match(text, /受信者 \(CC\) 1/);
        assert.match(text, new RegExp(`経理部 .*${cc.replace('.', '\\.')}`));
        assert.match(text, /署名者 3/);
        assert.doesNotMatch(text, /署名者 4/, 'the CC is not counted among the signers');
        // The register's 取引先 are the signers only.
        const contract = await h.context.db
          .selectFrom('contracts')
          .select('counterparties')
          .where('envelope_id', '=', envelope.id)
          .executeTakeFirstOrThrow();
        assert.deepEqual(JSON.parse(contract.counterparties), ['甲 一郎', 'Bob Parallel', '丙 三郎']);
      });
    }

    it('CC recipients: no fields (RECIPIENT_IS_CC), no reminder, no unlock; nothing written', async () => {
      const s = suffix();
      const envelope = await create([
        { name: '甲 一郎', email: `a-${s}@example.jp`, accessCode: '1111', order: 1 },
        { name: '経理部', email: `cc-${s}@example.jp`, role: 'cc' },
      ]);
      const [signer, cc] = envelope.recipients;
      const full = (await h.api(h.org, 'GET', `/api/v1/envelopes/${envelope.id}`)).json();
      const before = await counts(h);
      const fields = await h.api(h.org, 'PUT', `/api/v1/envelopes/${envelope.id}/fields`, {
        fields: [
          { documentId: full.documents[0].id, recipientId: signer.id, page: 1, rect: [50, 50, 150, 80], kind: 'date' },
          { documentId: full.documents[0].id, recipientId: cc.id, page: 1, rect: [50, 100, 150, 130], kind: 'text' },
        ],
      });
      assert.equal(fields.statusCode, 409, fields.body);
      assert.equal(fields.json().error.code, 'RECIPIENT_IS_CC');
      assert.equal(fields.json().error.details.field, 'fields[1].recipientId');
      assert.deepEqual(await counts(h), before, 'nothing stored');

      assert.equal((await h.api(h.org, 'POST', `/api/v1/envelopes/${envelope.id}/send`)).statusCode, 200);
      await h.runJobs();
      h.clock.advance(2 * HOUR);
      for (const action of ['remind', 'unlock', 'resend']) {
        const res = await h.api(h.org, 'POST', `/api/v1/envelopes/${envelope.id}/recipients/${cc.id}/${action}`);
        assert.equal(res.statusCode, 409, `${action}: ${res.body}`);
        assert.equal(res.json().error.code, 'RECIPIENT_IS_CC', action);
      }
    });

    it('two parallel signers finishing at the same moment: the signing jobs serialise, one revision each', async () => {
      const s = suffix();
      const a = `ra-${s}@example.jp`;
      const b = `rb-${s}@example.jp`;
      const envelope = await create(
        [
          { name: '同時 一', email: a, accessCode: '1111', order: 1 },
          { name: '同時 二', email: b, accessCode: '2222', order: 1 },
        ],
        '同時署名',
      );
      await h.api(h.org, 'POST', `/api/v1/envelopes/${envelope.id}/send`);
      await h.runJobs();
      const [tokenA, tokenB] = [await linkTo(a), await linkTo(b)];
      const [sessionA, sessionB] = [await passCode(tokenA, '1111'), await passCode(tokenB, '2222')];
      // Both sign at once; then both signing jobs run at once, in the same process, before the queue does.
      const [signedA, signedB] = await Promise.all([
        signerRequest(tokenA, '/sign', 'POST', sessionA),
        signerRequest(tokenB, '/sign', 'POST', sessionB),
      ]);
      assert.equal(signedA.statusCode, 202, signedA.body);
      assert.equal(signedB.statusCode, 202, signedB.body);
      await Promise.all(envelope.recipients.map((r) => applyRecipientSignature(h.context, { recipientId: r.id })));
      await h.runJobs();

      const done = (await h.api(h.org, 'GET', `/api/v1/envelopes/${envelope.id}`)).json();
      assert.equal(done.status, 'completed');
      const document = await h.api(h.org, 'GET', `/api/v1/envelopes/${envelope.id}/documents/${done.documents[0].id}`);
      const bytes = new Uint8Array(document.rawPayload);
      const report = await verifyPdf(bytes, { trustAnchors: h.context.signing.trustAnchors });
      const signatures = report.signatures.filter((x) => x.type === 'signature');
      assert.equal(signatures.length, 2, 'both signatures are in the file: neither overwrote the other');
      assert.equal(report.exitCode, 0, report.summary + JSON.stringify(report.signatures.map((x) => x.problems)));
      // Each applied exactly once; no job failed or retried.
      const applied = (await h.api(h.org, 'GET', `/api/v1/envelopes/${envelope.id}/events`))
        .json()
        .items.filter((e: { action: string }) => e.action === 'recipient.signature-applied');
      assert.equal(applied.length, 2);
      const failed = await h.context.db.selectFrom('jobs').select('kind').where('attempts', '>', 1).execute();
      assert.deepEqual(failed, []);
      const nss = await createNssDb(h.context.signing.trustAnchors[0], { parentDir: work });
      await assertAcceptedByValidators(bytes, {
        signatures: 2,
        documentTimestamps: 1,
        nssDir: nss,
        rootPem: h.context.signing.pki.rootPem(),
        untrustedPem: toPem(h.context.signing.pki.issuingCertificate),
      });
    });

    it('リマインド: a new link (the old one still works) and the same code, an hour apart at least, only for a signer whose turn it is', async () => {
      const s = suffix();
      const a = `rem-a-${s}@example.jp`;
      const b = `rem-b-${s}@example.com`;
      const envelope = await create(
        [
          { name: '催促 太郎', email: a, accessCode: '4321', order: 1 },
          { name: 'Second Signer', email: b, accessCode: '8765', order: 2, language: 'en' },
        ],
        'リマインドの契約',
      );
      const [first, later] = envelope.recipients;
      await h.api(h.org, 'POST', `/api/v1/envelopes/${envelope.id}/send`);
      await h.runJobs();
      const requestToken = await linkTo(a);
      const remind = (recipientId: string, org = h.org) =>
        h.api(org, 'POST', `/api/v1/envelopes/${envelope.id}/recipients/${recipientId}/remind`);

      const tooSoon = await remind(first.id);
      assert.equal(tooSoon.statusCode, 429, tooSoon.body);
      assert.equal(tooSoon.json().error.code, 'REMINDER_TOO_SOON');
      h.clock.advance(2 * HOUR);
      const notTurn = await remind(later.id);
      assert.equal(notTurn.statusCode, 409);
      assert.equal(notTurn.json().error.code, 'NOT_YOUR_TURN');
      assert.equal((await remind(first.id, h.other)).statusCode, 404, "another organisation's envelope");

      const ok = await remind(first.id);
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal((await remind(first.id)).json().error.code, 'REMINDER_TOO_SOON', 'a second click right after');
      await h.runJobs();
      const mails = await h.mailsTo(a);
      assert.equal(mails.length, 2);
      assert.equal(
        mails[1].subject,
        '【リマインド】【テスト市役所 契約課】様よりリマインドの契約への署名依頼が届いています',
      );
      assert.match(mails[1].text_body, /前回のご案内のURLも引き続きお使いいただけます/);
      assert.match(mails[1].text_body, /アクセスコードも前回と変わりません/);
      // A new link of its own; the request mail's link still works with the same access code (both
      // links with the code: signing-links.test.ts; here the access-code rate limit is shared).
      const reminderToken = linkIn(mails[1].text_body, 's');
      assert.notEqual(reminderToken, requestToken);
      assert.equal((await signerRequest(reminderToken, '', 'GET')).statusCode, 200, 'the reminder link opens');
      const session = await passCode(requestToken, '4321');
      assert.equal((await signerRequest(requestToken, '/view', 'GET', session)).json().recipient.canSign, true);
      const events = (await h.api(h.org, 'GET', `/api/v1/envelopes/${envelope.id}/events`)).json().items as Array<{
        action: string;
        details: Record<string, unknown>;
      }>;
      const reminded = events.filter((e) => e.action === 'recipient.reminded');
      assert.equal(reminded.length, 1);
      assert.equal(reminded[0].details.recipientId, first.id);
      assert.equal(reminded[0].details.automatic, false);
      assert.equal(events.filter((e) => e.action === 'mail.signing-reminder.sent').length, 1);
    });

    it('the 自動リマインド setting: 0–30 days, recorded, administrators only', async () => {
      const admin = await signIn(h, h.org.admin);
      for (const bad of [-1, 31, 1.5]) {
        const res = await asSession(h, admin, 'PATCH', '/api/v1/organization/settings', { autoRemindDays: bad });
        assert.equal(res.statusCode, 400, res.body);
        assert.equal(res.json().error.details.field, 'autoRemindDays');
      }
      const set = await asSession(h, admin, 'PATCH', '/api/v1/organization/settings', { autoRemindDays: 7 });
      assert.equal(set.statusCode, 200, set.body);
      assert.equal(set.json().autoRemindDays, 7);
      const viewer = await signIn(h, h.org.viewer);
      assert.equal(
        (await asSession(h, viewer, 'PATCH', '/api/v1/organization/settings', { autoRemindDays: 1 })).statusCode,
        403,
      );
      const changed = await h.context.db
        .selectFrom('events')
        .select('details')
        .where('organization_id', '=', h.org.id)
        .where('action', '=', 'organization.settings-changed')
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(changed.details), { autoRemindDays: { from: 0, to: 7 } });
      await asSession(h, admin, 'PATCH', '/api/v1/organization/settings', { autoRemindDays: 0 });
    });

    it('自動リマインド every N days until expiry, once per period even when two sweeps run (controlled clock)', async () => {
      const s = suffix();
      const a = `auto-a-${s}@example.jp`;
      const b = `auto-b-${s}@example.com`;
      await updateOrganizationSettings(h.context, {
        organizationId: h.org.id,
        actor: { type: 'user', id: h.org.admin.id },
        changes: { autoRemindDays: 3 },
      });
      const expiresAt = new Date(h.clock.now().getTime() + 8 * DAY).toISOString();
      const res = await h.createEnvelope(
        h.org,
        {
          name: '自動リマインドの契約',
          expiresAt,
          recipients: [
            { name: '自動 一', email: a, accessCode: '1212', order: 1 },
            { name: 'Auto Two', email: b, accessCode: '3434', order: 1, language: 'en' },
          ],
        },
        [{ filename: '契約書.pdf', data: pdf }],
      );
      const envelope = res.json();
      await h.api(h.org, 'POST', `/api/v1/envelopes/${envelope.id}/send`);
      await h.runJobs();
      await signWith(b, '3434'); // b signs; a does not
      await h.runJobs();
      const reminders = async (address: string) =>
        (await h.mailsTo(address)).filter((m) => /^【リマインド】|^Reminder:/.test(m.subject));
      const sweep = async () => {
        await scheduleExpirySweep(h.context, h.clock.now());
        await h.runJobs();
      };

      h.clock.advance(2 * DAY);
      await sweep();
      assert.equal((await reminders(a)).length, 0, 'two days: not yet');
      h.clock.advance(1 * DAY + HOUR);
      await sweep();
      await sweep();
      assert.equal((await reminders(a)).length, 1, 'three days: one reminder, however many sweeps');
      assert.equal((await reminders(b)).length, 0, 'a signer who signed gets none');
      h.clock.advance(3 * DAY);
      await sweep();
      const twice = await reminders(a);
      assert.equal(twice.length, 2, 'every three days');
      assert.notEqual(linkIn(twice[1].text_body, 's'), linkIn(twice[0].text_body, 's'), 'a new link each time');
      h.clock.advance(3 * DAY);
      await sweep();
      assert.equal((await reminders(a)).length, 2, 'past the expiry: no more reminders');
      const envelopeNow = (await h.api(h.org, 'GET', `/api/v1/envelopes/${envelope.id}`)).json();
      assert.equal(envelopeNow.status, 'expired');
      await updateOrganizationSettings(h.context, {
        organizationId: h.org.id,
        actor: { type: 'user', id: h.org.admin.id },
        changes: { autoRemindDays: 0 },
      });
    });
  });
}
