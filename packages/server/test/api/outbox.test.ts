// The admin outbox on SQLite and PostgreSQL: an installation without SMTP keeps its mail in the outbox,
// readable at /api/v1/admin/outbox and /admin/outbox only by a signed-in administrator of the
// organisation, and only that organisation's mails; anonymous → 401, members, viewers and API keys →
// 403, /dev/mail → 404 outside development.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { listOutboxMails } from '../../src/domain/use-cases/list-outbox-mails.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { startHarness, type Harness, type TestOrganization } from './helpers/harness.ts';

for (const dialect of DIALECTS) {
  describe(`admin outbox (${dialect})`, () => {
    let h: Harness;
    const mine = { envelope: '当方の契約 <b>太字</b>', email: 'mine@contractor.example.jp' };
    const theirs = { envelope: 'Their secret contract', email: 'theirs@contractor.example.jp' };

    const send = async (org: TestOrganization, name: string, email: string) => {
      const created = await h.createEnvelope(
        org,
        { name, recipients: [{ name: 'R', email, accessCode: '1234', order: 1 }] },
        [{ filename: 'a.pdf', data: await makePdf({ pages: 1 }) }],
      );
      assert.equal(created.statusCode, 201, created.body);
      assert.equal((await h.api(org, 'POST', `/api/v1/envelopes/${created.json().id}/send`)).statusCode, 200);
    };

    /** A browser session of a user: the cookie header (and CSRF token) after POST /api/session. */
    const sessionOf = async (email: string, password: string) => {
      const res = await h.app.inject({ method: 'POST', url: '/api/session', payload: { email, password } });
      assert.equal(res.statusCode, 200, res.body);
      return { cookie: res.cookies.map((c) => `${c.name}=${c.value}`).join('; ') };
    };

    before(async () => {
      h = await startHarness(dialect);
      await send(h.org, mine.envelope, mine.email);
      await send(h.other, theirs.envelope, theirs.email);
      await h.runJobs();
      // Both mails are in the one outbox table: the separation below is the code's, not the data's.
      assert.equal((await h.mailsTo(mine.email)).length, 1);
      assert.equal((await h.mailsTo(theirs.email)).length, 1);
    });
    after(async () => h?.close());

    it('anonymous requests get 401 (API and page); /dev/mail does not exist outside development', async () => {
      const api = await h.app.inject({ method: 'GET', url: '/api/v1/admin/outbox' });
      assert.equal(api.statusCode, 401);
      assert.equal(api.json().error.code, 'UNAUTHENTICATED');
      const page = await h.app.inject({ method: 'GET', url: '/admin/outbox' });
      assert.equal(page.statusCode, 401);
      assert.match(page.body, /ログインが必要です/);
      assert.doesNotMatch(page.body, /contractor\.example\.jp/);
      for (const url of ['/dev/mail', '/dev/mail.json'])
        assert.equal((await h.app.inject({ method: 'GET', url })).statusCode, 404, url);
    });

    it("an administrator sees the organisation's own mails only, never another organisation's", async () => {
      const admin = await sessionOf(h.org.admin.email, h.org.admin.password);
      const res = await h.app.inject({ method: 'GET', url: '/api/v1/admin/outbox', headers: admin });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json() as {
        delivery: string;
        items: Array<{ to: string; subject: string; text: string; envelope: { name: string } | null }>;
      };
      assert.equal(body.delivery, 'outbox');
      assert.deepEqual(
        body.items.map((m) => m.to),
        [mine.email],
      );
      assert.equal(body.items[0].envelope?.name, mine.envelope);
      assert.match(
        body.items[0].text,
        /http:\/\/inkan\.test\/s\//,
        'the signing link is readable by the administrator',
      );
      assert.ok(!JSON.stringify(body).includes(theirs.email) && !JSON.stringify(body).includes(theirs.envelope));

      const page = await h.app.inject({ method: 'GET', url: '/admin/outbox', headers: admin });
      assert.equal(page.statusCode, 200);
      assert.equal(page.headers['cache-control'], 'private, no-store');
      assert.ok(page.body.includes(mine.email));
      assert.ok(page.body.includes('当方の契約 &lt;b&gt;太字&lt;/b&gt;'), 'escaped');
      assert.ok(!page.body.includes(theirs.email) && !page.body.includes(theirs.envelope));

      // And the other way round.
      const otherAdmin = await sessionOf(h.other.admin.email, h.other.admin.password);
      const other = (
        await h.app.inject({ method: 'GET', url: '/api/v1/admin/outbox', headers: otherAdmin })
      ).json() as { items: Array<{ to: string }> };
      assert.deepEqual(
        other.items.map((m) => m.to),
        [theirs.email],
      );
    });

    it('viewers and API keys are refused (403)', async () => {
      const viewer = await sessionOf(h.org.viewer.email, h.org.viewer.password);
      assert.equal(
        (await h.app.inject({ method: 'GET', url: '/api/v1/admin/outbox', headers: viewer })).statusCode,
        403,
      );
      assert.equal((await h.app.inject({ method: 'GET', url: '/admin/outbox', headers: viewer })).statusCode, 403);
      // The harness key has the scopes keys had before scopes existed (send, read, register): not admin.
      const key = await h.api(h.org, 'GET', '/api/v1/admin/outbox');
      assert.equal(key.statusCode, 403);
      assert.equal(key.json().error.code, 'API_KEY_SCOPE');
    });

    it('bad input is a clear 400; with SMTP configured nothing is listed', async () => {
      const admin = await sessionOf(h.org.admin.email, h.org.admin.password);
      const bad = await h.app.inject({ method: 'GET', url: '/api/v1/admin/outbox?limit=100000', headers: admin });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.code, 'VALIDATION_FAILED');
      const smtp = await listOutboxMails(
        { ...h.context, config: { ...h.context.config, smtpUrl: 'smtp://127.0.0.1:25' } },
        { organizationId: h.org.id },
      );
      assert.deepEqual(smtp, { delivery: 'smtp', items: [] });
    });
  });
}
