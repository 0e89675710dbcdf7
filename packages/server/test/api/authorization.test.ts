// Who may do what, on SQLite and PostgreSQL: another organisation's envelopes and documents are 404 on
// every endpoint (and nothing changes); no credentials → 401; a session needs its CSRF token for every
// change; viewers only read; a signer session is bound to its own link.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { linkIn, snapshot, startHarness, type Harness, type TestOrganization } from './helpers/harness.ts';

for (const dialect of DIALECTS) {
  describe(`authorization (${dialect})`, () => {
    let h: Harness;
    let envelope: { id: string; documents: Array<{ id: string }>; recipients: Array<{ id: string }> };
    let otherEnvelope: { id: string; documents: Array<{ id: string }>; recipients: Array<{ id: string }> };
    let pdf: Uint8Array;

    const create = async (org: TestOrganization, email: string) => {
      const res = await h.createEnvelope(
        org,
        { name: `Private ${org.slug}`, recipients: [{ name: 'R', email, accessCode: '1234', order: 1 }] },
        [{ filename: 'a.pdf', data: pdf }],
      );
      assert.equal(res.statusCode, 201, res.body);
      return res.json();
    };

    before(async () => {
      h = await startHarness(dialect);
      pdf = await makePdf({ pages: 1 });
      envelope = await create(h.org, 'mine@example.jp');
      otherEnvelope = await create(h.other, 'theirs@example.jp');
      await h.api(h.org, 'POST', `/api/v1/envelopes/${envelope.id}/send`);
      await h.runJobs();
    });
    after(async () => h?.close());

    /** Every envelope endpoint, for an envelope (and its document and recipient). */
    const endpoints = (
      e: typeof envelope,
      documentId = e.documents[0].id,
      recipientId = e.recipients[0].id,
    ): Array<[string, string, unknown?]> => [
      ['GET', `/api/v1/envelopes/${e.id}`],
      ['POST', `/api/v1/envelopes/${e.id}/send`],
      ['POST', `/api/v1/envelopes/${e.id}/cancel`],
      ['GET', `/api/v1/envelopes/${e.id}/documents/${documentId}`],
      ['GET', `/api/v1/envelopes/${e.id}/events`],
      ['POST', `/api/v1/envelopes/${e.id}/recipients/${recipientId}/unlock`, { accessCode: '5555' }],
      ['POST', `/api/v1/envelopes/${e.id}/recipients/${recipientId}/resend`],
    ];

    it("another organisation's envelope is 404 on every endpoint, and nothing changes", async () => {
      const before = await snapshot(h);
      for (const [method, url, body] of endpoints(envelope)) {
        const res = await h.api(h.other, method, url, body);
        assert.equal(res.statusCode, 404, `${method} ${url}: ${res.body}`);
        assert.equal(res.json().error.code, 'NOT_FOUND');
      }
      // A document or recipient id of another organisation's envelope, under one's own envelope id.
      for (const [method, url, body] of endpoints(
        otherEnvelope,
        envelope.documents[0].id,
        envelope.recipients[0].id,
      ).filter(([, url]) => /documents|recipients/.test(url))) {
        const res = await h.api(h.other, method, url, body);
        assert.equal(res.statusCode, 404, `${method} ${url}: ${res.body}`);
      }
      // Unknown and malformed ids.
      for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', "1' or '1'='1"]) {
        const res = await h.api(h.org, 'GET', `/api/v1/envelopes/${encodeURIComponent(id)}`);
        assert.equal(res.statusCode, 404);
      }
      const list = await h.api(h.other, 'GET', '/api/v1/envelopes');
      assert.deepEqual(
        list.json().items.map((e: { id: string }) => e.id),
        [otherEnvelope.id],
      );
      assert.deepEqual(await snapshot(h), before);
    });

    it('the same through a browser session of the other organisation', async () => {
      const signIn = await h.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email: h.other.admin.email, password: h.other.admin.password },
        remoteAddress: '10.9.0.1',
      });
      assert.equal(signIn.statusCode, 200, signIn.body);
      const cookie = `inkan_session=${signIn.cookies.find((c) => c.name === 'inkan_session')!.value}`;
      const csrf = signIn.json().csrfToken;
      const before = await snapshot(h);
      for (const [method, url, body] of endpoints(envelope)) {
        const res = await h.app.inject({
          method: method as 'GET',
          url,
          headers: { cookie, 'x-csrf-token': csrf },
          ...(body ? { payload: body as object } : {}),
        });
        assert.equal(res.statusCode, 404, `${method} ${url}: ${res.body}`);
      }
      assert.deepEqual(await snapshot(h), before);
    });

    it('without credentials or with a wrong key: 401 UNAUTHENTICATED', async () => {
      for (const [method, url, body] of [...endpoints(envelope), ['GET', '/api/v1/envelopes'] as [string, string]]) {
        const anonymous = await h.app.inject({
          method: method as 'GET',
          url,
          ...(body ? { payload: body as object } : {}),
        });
        assert.equal(anonymous.statusCode, 401, `${method} ${url}`);
        assert.equal(anonymous.json().error.code, 'UNAUTHENTICATED');
        const wrongKey = await h.app.inject({
          method: method as 'GET',
          url,
          headers: { authorization: 'Bearer inkan_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
        });
        assert.equal(wrongKey.statusCode, 401);
      }
      const created = await h.app.inject({
        method: 'POST',
        url: '/api/v1/envelopes',
        headers: { authorization: 'Bearer nonsense' },
      });
      assert.equal(created.statusCode, 401);
    });

    it('a session must send its CSRF token with every change; viewers may read but not change', async () => {
      const signIn = await h.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email: h.org.admin.email, password: h.org.admin.password },
        remoteAddress: '10.9.0.2',
      });
      const cookie = `inkan_session=${signIn.cookies.find((c) => c.name === 'inkan_session')!.value}`;
      const before = await snapshot(h);
      for (const [, url, body] of endpoints(envelope).filter(([m]) => m === 'POST')) {
        for (const csrf of [undefined, 'wrong']) {
          const res = await h.app.inject({
            method: 'POST',
            url,
            headers: { cookie, ...(csrf ? { 'x-csrf-token': csrf } : {}) },
            ...(body ? { payload: body as object } : {}),
          });
          assert.equal(res.statusCode, 403, `${url}: ${res.body}`);
          assert.equal(res.json().error.code, 'CSRF_FAILED');
        }
      }
      assert.deepEqual(await snapshot(h), before);
      assert.equal(
        (await h.app.inject({ method: 'GET', url: `/api/v1/envelopes/${envelope.id}`, headers: { cookie } }))
          .statusCode,
        200,
        'GET needs no CSRF token',
      );

      const viewer = await h.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email: h.org.viewer.email, password: h.org.viewer.password },
        remoteAddress: '10.9.0.3',
      });
      const viewerHeaders = {
        cookie: `inkan_session=${viewer.cookies.find((c) => c.name === 'inkan_session')!.value}`,
        'x-csrf-token': viewer.json().csrfToken,
      };
      assert.equal(
        (await h.app.inject({ method: 'GET', url: `/api/v1/envelopes/${envelope.id}`, headers: viewerHeaders }))
          .statusCode,
        200,
      );
      const cancel = await h.app.inject({
        method: 'POST',
        url: `/api/v1/envelopes/${envelope.id}/cancel`,
        headers: viewerHeaders,
      });
      assert.equal(cancel.statusCode, 403);
      assert.equal(cancel.json().error.code, 'FORBIDDEN');
    });

    it("a signer session opens only its own link; no session → 401 on the signer's endpoints", async () => {
      const second = await create(h.org, 'second@example.jp');
      await h.api(h.org, 'POST', `/api/v1/envelopes/${second.id}/send`);
      await h.runJobs();
      const mine = linkIn((await h.mailsTo('mine@example.jp'))[0].text_body, 's');
      const theirs = linkIn((await h.mailsTo('second@example.jp'))[0].text_body, 's');
      const passed = await h.app.inject({
        method: 'POST',
        url: `/api/sign/${mine}/access-code`,
        payload: { code: '1234' },
      });
      const headers = {
        cookie: `inkan_signer=${passed.cookies.find((c) => c.name === 'inkan_signer')!.value}`,
        'x-csrf-token': passed.json().csrfToken,
      };
      const before = await snapshot(h);
      for (const [method, path] of [
        ['GET', '/view'],
        ['GET', `/documents/${second.documents[0].id}`],
        ['POST', '/viewed'],
        ['POST', '/sign'],
        ['POST', '/decline'],
      ] as const) {
        const stolen = await h.app.inject({
          method,
          url: `/api/sign/${theirs}${path}`,
          headers,
          ...(path === '/decline' ? { payload: { reason: 'x' } } : {}),
        });
        assert.ok([401, 403].includes(stolen.statusCode), `${path}: ${stolen.statusCode}`);
        const none = await h.app.inject({
          method,
          url: `/api/sign/${theirs}${path}`,
          ...(path === '/decline' ? { payload: { reason: 'x' } } : {}),
        });
        assert.equal(none.statusCode, 401, `${path} without a session`);
      }
      // My own session cannot fetch another envelope's document under my link.
      const foreignDocument = await h.app.inject({
        method: 'GET',
        url: `/api/sign/${mine}/documents/${second.documents[0].id}`,
        headers,
      });
      assert.equal(foreignDocument.statusCode, 404);
      assert.deepEqual(await snapshot(h), before);
    });
  });
}
