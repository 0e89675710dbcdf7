// The operation log (操作ログ) after a full flow, on SQLite and PostgreSQL: exactly the expected events
// in order (sign-in, envelopes, mails, access codes, signatures, key uses, downloads, settings, API
// keys, members, the export itself), each with the IP address and user agent where a person acted, no
// secret anywhere in them; the admin API's filters and pages; and the CSV export as Excel in Japan
// needs it (BOM, RFC 4180 quoting of commas, quotes and line breaks, formula cells defused).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { addMember, changeMemberRole, revokeApiKey } from '../../src/cli/admin-commands.ts';
import { verifyEventChain } from '../../src/domain/record-event.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { linkIn, startHarness, type Harness } from '../api/helpers/harness.ts';
import { parseCsv } from './helpers/csv.ts';
import {
  BROWSER_UA,
  SignerBrowser,
  asSender,
  createEnvelopeAsSender,
  downloadToken,
  signIn,
  signingToken,
} from './helpers/flow.ts';

const ENVELOPE_NAME = '道路補修工事, 第2期 "A"';
const DECLINE_REASON = '金額が見積と異なります, "単価" を確認してください。\n再送をお願いします。';
const CODES = { taro: '48213976', hanako: '90357124', jiro: '73518264', jiroNew: '61843927' };

const EXPECTED = [
  'session.sign-in-failed',
  'session.signed-in',
  'envelope.created',
  'envelope.sent',
  'mail.signing-request.sent',
  'recipient.code-failed',
  'recipient.code-passed',
  'recipient.viewed',
  'recipient.signed',
  'recipient.signature-applied',
  'key.used',
  'key.used',
  'mail.signing-request.sent',
  'recipient.code-passed',
  'recipient.viewed',
  'recipient.signed',
  'recipient.signature-applied',
  'key.used',
  'key.used',
  'envelope.sealed',
  'envelope.completed',
  'envelope.certificate-issued',
  'key.used',
  // 自動登録 in the certificate's transaction (issue 7).
  'contract.registered',
  'mail.completion.sent',
  'mail.completion.sent',
  'mail.completion.sent',
  'document.downloaded',
  'certificate.downloaded',
  'document.downloaded',
  'certificate.downloaded',
  // Second envelope, through the API key: a recipient locks themselves out, is unlocked, declines.
  'apikey.used',
  'envelope.created',
  'envelope.sent',
  'mail.signing-request.sent',
  'recipient.code-failed',
  'recipient.code-failed',
  'recipient.code-failed',
  'recipient.code-failed',
  'recipient.code-failed',
  'recipient.locked',
  'mail.locked.sent',
  'recipient.unlocked',
  'recipient.code-passed',
  'recipient.declined',
  'envelope.declined',
  'mail.declined.sent',
  // Third envelope: canceled. Then settings, the export, sign-out, and the administration commands.
  'envelope.created',
  'envelope.canceled',
  'organization.settings-changed',
  'audit.exported',
  'session.signed-out',
  'apikey.revoked',
  'member.added',
  'login-link.created',
  'member.role-changed',
];

for (const dialect of DIALECTS) {
  describe(`operation log after a full flow (${dialect})`, () => {
    let h: Harness;
    let startSeq: number;
    const secrets = new Map<string, string>();
    let csvText: string;
    let firstEnvelope: string;
    let secondEnvelope: string;

    before(async () => {
      h = await startHarness(dialect);
      startSeq = Number(
        (
          await h.context.db
            .selectFrom('events')
            .select('seq')
            .orderBy('seq', 'desc')
            .limit(1)
            .executeTakeFirstOrThrow()
        ).seq,
      );
    });
    after(async () => h?.close());

    it('runs the flow; the log holds exactly the expected actions, with origin, and no secret', async () => {
      const [pdfA, pdfB] = await Promise.all([
        makePdf({ pages: 1, text: 'Contract A' }),
        makePdf({ pages: 1, text: 'Contract B' }),
      ]);
      secrets.set('admin password', h.org.admin.password);
      secrets.set('API key', h.org.apiKey);
      for (const [who, code] of Object.entries(CODES)) secrets.set(`access code ${who}`, code);

      const wrongPassword = 'wrong-horse-battery-7';
      secrets.set('typed wrong password', wrongPassword);
      const failed = await h.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email: h.org.admin.email, password: wrongPassword },
        headers: { 'user-agent': BROWSER_UA },
      });
      assert.equal(failed.statusCode, 401);
      const admin = await signIn(h, h.org.admin.email, h.org.admin.password);
      secrets.set('session token', admin.token);
      secrets.set('session CSRF token', admin.csrf);

      // 1. Created and sent by the signed-in sender; two recipients sign; everyone downloads.
      const created = await createEnvelopeAsSender(
        h,
        admin,
        {
          name: ENVELOPE_NAME,
          recipients: [
            { name: '山田 太郎', email: 'taro@contractor.example.jp', accessCode: CODES.taro, order: 1 },
            { name: '佐藤 花子', email: 'hanako@example.jp', accessCode: CODES.hanako, order: 2 },
          ],
        },
        [
          { filename: '契約書.pdf', data: pdfA },
          { filename: '仕様書.pdf', data: pdfB },
        ],
      );
      assert.equal(created.statusCode, 201, created.body);
      firstEnvelope = created.json().id;
      assert.equal((await asSender(h, admin, 'POST', `/api/v1/envelopes/${firstEnvelope}/send`)).statusCode, 200);
      await h.runJobs();
      const taro = new SignerBrowser(h, await signingToken(h, 'taro@contractor.example.jp'), 'Taro-Browser/1.0');
      secrets.set('signing link taro', taro.token);
      assert.equal((await taro.enterCode('11112222')).statusCode, 401);
      assert.equal((await taro.enterCode(CODES.taro)).statusCode, 200);
      secrets.set('signer session taro', taro.session!.cookie.split('=')[1]);
      secrets.set('signer CSRF taro', taro.session!.csrf);
      await taro.viewAndSign();
      await h.runJobs();
      const hanako = new SignerBrowser(h, await signingToken(h, 'hanako@example.jp'), 'Hanako-Phone/2.0');
      secrets.set('signing link hanako', hanako.token);
      assert.equal((await hanako.enterCode(CODES.hanako)).statusCode, 200);
      await hanako.viewAndSign();
      await h.runJobs();
      const envelope = (await asSender(h, admin, 'GET', `/api/v1/envelopes/${firstEnvelope}`)).json();
      assert.equal(envelope.status, 'completed');
      assert.equal(
        (await asSender(h, admin, 'GET', `/api/v1/envelopes/${firstEnvelope}/documents/${envelope.documents[0].id}`))
          .statusCode,
        200,
      );
      assert.equal((await asSender(h, admin, 'GET', `/api/v1/envelopes/${firstEnvelope}/certificate`)).statusCode, 200);
      const link = await downloadToken(h, 'taro@contractor.example.jp');
      secrets.set('download link taro', link);
      for (const address of ['hanako@example.jp', h.org.admin.email])
        secrets.set(`download link ${address}`, await downloadToken(h, address));
      const linkHeaders = { 'user-agent': 'Taro-Browser/1.0' };
      assert.equal(
        (
          await h.app.inject({
            method: 'GET',
            url: `/api/download/${link}/documents/${envelope.documents[1].id}`,
            headers: linkHeaders,
          })
        ).statusCode,
        200,
      );
      assert.equal(
        (await h.app.inject({ method: 'GET', url: `/api/download/${link}/certificate`, headers: linkHeaders }))
          .statusCode,
        200,
      );

      // 2. Through the API key: locked after five wrong codes, unlocked with a new code, declined.
      const second = await h.createEnvelope(
        h.org,
        {
          name: '保守契約',
          recipients: [
            { name: '=HYPERLINK("http://evil.example")', email: 'jiro@example.jp', accessCode: CODES.jiro, order: 1 },
          ],
        },
        [{ filename: 'a.pdf', data: pdfA }],
        { 'user-agent': 'integration/3.1' },
      );
      assert.equal(second.statusCode, 201, second.body);
      secondEnvelope = second.json().id;
      assert.equal(
        (
          await h.app.inject({
            method: 'POST',
            url: `/api/v1/envelopes/${secondEnvelope}/send`,
            headers: { authorization: `Bearer ${h.org.apiKey}`, 'user-agent': 'integration/3.1' },
          })
        ).statusCode,
        200,
      );
      await h.runJobs();
      const jiro = new SignerBrowser(h, await signingToken(h, 'jiro@example.jp'), 'Jiro-Browser/5');
      secrets.set('signing link jiro', jiro.token);
      for (const wrong of ['10000001', '10000002', '10000003', '10000004'])
        assert.equal((await jiro.enterCode(wrong)).statusCode, 401);
      assert.equal((await jiro.enterCode('10000005')).statusCode, 423);
      await h.runJobs();
      const recipientId = second.json().recipients[0].id;
      assert.equal(
        (
          await asSender(h, admin, 'POST', `/api/v1/envelopes/${secondEnvelope}/recipients/${recipientId}/unlock`, {
            accessCode: CODES.jiroNew,
          })
        ).statusCode,
        200,
      );
      assert.equal((await jiro.enterCode(CODES.jiroNew)).statusCode, 200);
      assert.equal((await jiro.request('POST', '/decline', { reason: DECLINE_REASON })).statusCode, 200);
      await h.runJobs();

      // 3. Canceled; a setting changed; the log exported; signed out; keys and members administered.
      const third = await createEnvelopeAsSender(
        h,
        admin,
        { name: '取消する封筒', recipients: [{ name: 'X', email: 'x@example.jp', order: 1 }] },
        [{ filename: 'x.pdf', data: pdfB }],
      );
      assert.equal((await asSender(h, admin, 'POST', `/api/v1/envelopes/${third.json().id}/cancel`)).statusCode, 200);
      assert.equal(
        (await asSender(h, admin, 'PATCH', '/api/v1/organization/settings', { attachCertificate: true })).statusCode,
        200,
      );
      assert.equal(
        (await asSender(h, admin, 'PATCH', '/api/v1/organization/settings', { attachCertificate: true })).statusCode,
        200,
        'no change, no event',
      );
      const exported = await asSender(h, admin, 'GET', '/api/v1/audit-events.csv');
      assert.equal(exported.statusCode, 200, exported.body);
      assert.match(String(exported.headers['content-type']), /^text\/csv; charset=utf-8/);
      assert.match(String(exported.headers['content-disposition']), /^attachment;/);
      const raw = exported.rawPayload;
      assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
      csvText = raw.subarray(3).toString('utf8');
      assert.equal((await asSender(h, admin, 'DELETE', '/api/session')).statusCode, 204);
      await revokeApiKey(h.context, { organizationSlug: h.org.slug, prefix: h.org.apiKey.slice(0, 12) });
      const member = await addMember(h.context, {
        organizationSlug: h.org.slug,
        email: 'new.member@example.jp',
        name: '新人',
        role: 'viewer',
      });
      secrets.set('member sign-in link', new URL(member.signInUrl!).searchParams.get('token')!);
      await changeMemberRole(h.context, {
        organizationSlug: h.org.slug,
        email: 'new.member@example.jp',
        role: 'member',
      });
      assert.equal((await h.api(h.org, 'GET', '/api/v1/envelopes')).statusCode, 401, 'the revoked key no longer works');

      const events = await h.context.db
        .selectFrom('events')
        .selectAll()
        .where('organization_id', '=', h.org.id)
        .where('seq', '>', startSeq)
        .orderBy('seq')
        .execute();
      assert.deepEqual(
        events.map((e) => e.action),
        EXPECTED,
      );
      for (const event of events) {
        if (event.actor_type === 'system') continue;
        assert.ok(event.ip, `${event.action} (${event.actor_type}) has an IP address`);
        assert.ok(event.user_agent, `${event.action} (${event.actor_type}) has a user agent`);
      }
      const agentOf = (action: string) => events.filter((e) => e.action === action).map((e) => e.user_agent);
      assert.deepEqual(agentOf('recipient.signed'), ['Taro-Browser/1.0', 'Hanako-Phone/2.0']);
      assert.deepEqual(agentOf('recipient.declined'), ['Jiro-Browser/5']);
      assert.deepEqual(agentOf('apikey.used'), ['integration/3.1']);
      const keyUses = events.filter((e) => e.action === 'key.used').map((e) => JSON.parse(e.details));
      assert.deepEqual(
        keyUses.map((d) => d.purpose),
        [
          'recipient-signature',
          'recipient-signature',
          'recipient-signature',
          'recipient-signature',
          'certificate-of-completion',
        ],
      );
      assert.ok(keyUses.every((d) => /^[0-9a-f]{64}$/.test(d.key.certificateSha256) && d.key.certificateSerial));
      // Witness signatures: the platform key, in a certificate that names the signer.
      assert.deepEqual(
        keyUses.slice(0, 4).map((d) => /CN=([^,]+)/.exec(d.certificate?.subject ?? '')?.[1]),
        ['山田 太郎', '山田 太郎', '佐藤 花子', '佐藤 花子'],
      );
      assert.equal(new Set(keyUses.map((d) => d.key.certificateSha256)).size, 1, 'one platform key');

      // No secret in any event of the whole database (every column, not just details).
      const everything = JSON.stringify(await h.context.db.selectFrom('events').selectAll().execute());
      assert.ok(secrets.size >= 18, `${secrets.size} secrets collected`);
      for (const [what, value] of secrets) {
        assert.ok(value.length >= 8, what);
        assert.ok(!everything.includes(value), `the ${what} appears in the operation log`);
      }
      assert.equal((await verifyEventChain(h.context.db)).brokenAt, null);
    });

    it('exports CSV that parses back with the same values (commas, quotes, line breaks, formulas)', async () => {
      const rows = parseCsv(csvText);
      assert.deepEqual(rows[0], [
        '日時(JST)',
        '日時(UTC)',
        '操作',
        '操作者種別',
        '操作者',
        '対象封筒',
        'IPアドレス',
        'ユーザーエージェント',
        '詳細',
      ]);
      const body = rows.slice(1);
      // Newest first; everything up to the export (the export itself is recorded after it is read).
      const upToExport = EXPECTED.slice(0, EXPECTED.indexOf('audit.exported'));
      assert.equal(
        body.length,
        upToExport.length + 3,
        'the seed events (organization, sign-in link, API key) and the flow',
      );
      assert.deepEqual(
        body.slice(0, upToExport.length).map((r) => /\(([a-z.-]+)\)$/.exec(r[2])?.[1]),
        [...upToExport].reverse(),
      );
      for (const row of body) {
        assert.equal(row.length, 9);
        const utc = new Date(row[1]);
        assert.equal(
          row[0],
          new Date(utc.getTime() + 9 * 3600_000).toISOString().slice(0, 19).replace('T', ' '),
          'JST is UTC+9',
        );
      }
      const declined = body.find((r) => r[2] === '署名を拒否 (recipient.declined)');
      assert.ok(declined);
      assert.ok(declined[8].split('\n').length >= 3, 'the details cell keeps its line breaks');
      assert.ok(declined[8].includes(`reason: ${DECLINE_REASON}`), declined[8]);
      assert.equal(declined[3], '署名者');
      assert.equal(
        declined[4],
        `'=HYPERLINK("http://evil.example") <jiro@example.jp>`,
        'a formula-like cell is defused',
      );
      assert.equal(declined[7], 'Jiro-Browser/5');
      const created = body.filter((r) => r[2] === '封筒を作成 (envelope.created)').at(-1);
      assert.equal(created?.[5], `${ENVELOPE_NAME} (${firstEnvelope})`, 'the envelope name with a comma and quotes');
      assert.equal(created?.[3], 'ユーザー');
      assert.equal(created?.[4], `テスト市役所 契約課 管理者 <${h.org.admin.email}>`);
      assert.equal(created?.[6], '127.0.0.1');
    });

    it('the admin API filters, pages, and is for administrators of the organisation only', async () => {
      const admin = await signIn(h, h.org.admin.email, h.org.admin.password);
      const get = async (query: string) => {
        const res = await asSender(h, admin, 'GET', `/api/v1/audit-events${query}`);
        assert.equal(res.statusCode, 200, res.body);
        return res.json() as {
          items: Array<{
            action: string;
            seq: number;
            actor: { type: string; name: string };
            envelope: { id: string; name: string } | null;
            ip: string | null;
          }>;
          nextCursor: string | null;
        };
      };
      const failures = await get('?action=recipient.code-failed');
      assert.equal(failures.items.length, 6);
      assert.ok(failures.items.every((e) => e.ip === '127.0.0.1'));
      const group = await get('?action=recipient.&limit=200');
      assert.ok(group.items.length > 6 && group.items.every((e) => e.action.startsWith('recipient.')));
      const ofEnvelope = await get(`?envelopeId=${secondEnvelope}&limit=200`);
      assert.ok(ofEnvelope.items.every((e) => e.envelope?.id === secondEnvelope && e.envelope.name === '保守契約'));
      assert.equal(ofEnvelope.items.at(-1)?.action, 'envelope.created');
      const hanako = await get('?actor=hanako');
      assert.deepEqual(
        hanako.items.map((e) => e.action),
        ['recipient.signed', 'recipient.viewed', 'recipient.code-passed'],
      );
      assert.equal(hanako.items[0].actor.name, '佐藤 花子 <hanako@example.jp>');
      assert.ok((await get('?actor=system&limit=200')).items.every((e) => e.actor.type === 'system'));
      const today = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
      const all = await get(`?from=${today}&to=${today}&limit=200`);
      assert.ok(all.items.length >= EXPECTED.length, 'a JST day holds today');
      assert.equal((await get('?from=2001-01-01&to=2001-01-02')).items.length, 0);
      // Pages: keyset on seq, newest first, nothing twice or lost.
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const page = await get(`?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
        assert.ok(page.items.length <= 7);
        seen.push(...page.items.map((e) => e.seq));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(
        seen,
        all.items.map((e) => e.seq).filter((s) => seen.includes(s)),
      );
      assert.equal(new Set(seen).size, seen.length);
      assert.equal(seen.length, (await get('?limit=200')).items.length);
      for (const bad of [
        '?limit=0',
        '?limit=201',
        '?from=yesterday',
        '?action=DROP%20TABLE',
        '?envelopeId=nope',
        '?cursor=%%%',
      ]) {
        const res = await asSender(h, admin, 'GET', `/api/v1/audit-events${bad}`);
        assert.equal(res.statusCode, 400, bad);
        assert.equal(res.json().error.code, 'VALIDATION_FAILED');
      }

      // Members, viewers and API keys may not read the log; another organisation's admin sees only theirs.
      const viewer = await signIn(h, h.org.viewer.email, h.org.viewer.password);
      for (const url of ['/api/v1/audit-events', '/api/v1/audit-events.csv']) {
        assert.equal((await asSender(h, viewer, 'GET', url)).statusCode, 403);
        assert.equal((await h.api(h.other, 'GET', url)).statusCode, 403);
        assert.equal((await h.app.inject({ method: 'GET', url })).statusCode, 401);
      }
      const otherAdmin = await signIn(h, h.other.admin.email, h.other.admin.password);
      const theirs = (await asSender(h, otherAdmin, 'GET', '/api/v1/audit-events?limit=200')).json();
      assert.ok(theirs.items.length > 0);
      assert.ok(!JSON.stringify(theirs).includes(firstEnvelope) && !JSON.stringify(theirs).includes('hanako'));
      assert.equal(
        (await asSender(h, otherAdmin, 'GET', `/api/v1/audit-events?envelopeId=${firstEnvelope}`)).json().items.length,
        0,
      );
      void linkIn;
    });
  });
}
