// The security matrix of issue 12, kept as a test: every administration endpoint (helpers/
// admin-endpoints.ts, one exported list that later endpoints join) × (no sign-in, another organisation's
// administrator, a member, a viewer, a session without its CSRF token, an API key without the admin
// scope, an admin-scoped key on session-only endpoints) → the expected refusal, and the database
// unchanged afterwards. Then: XSS payloads in the new name fields rendered in mails, open redirects in
// return URLs, and no account enumeration in sign-in, password reset and sign-up.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { contractRow } from '../helpers/contract-row.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { snapshot, startHarness, type Harness } from './helpers/harness.ts';
import { ADMIN_ENDPOINTS, type AdminEndpoint, type MatrixFixture } from './helpers/admin-endpoints.ts';
import { addMember, asSession, nextAddress, signIn, type TestSession } from './helpers/admin-session.ts';

type Caller =
  { kind: 'none' } | { kind: 'session'; session: TestSession; csrf: boolean } | { kind: 'key'; key: string };

function call(
  h: Harness,
  endpoint: AdminEndpoint,
  fixture: MatrixFixture,
  caller: Caller,
): Promise<LightMyRequestResponse> {
  const body = endpoint.body?.(fixture);
  const headers: Record<string, string> = { 'accept-language': 'ja' };
  if (endpoint.contentType) headers['content-type'] = endpoint.contentType;
  if (caller.kind === 'session') {
    headers.cookie = caller.session.cookie;
    if (caller.csrf) headers['x-csrf-token'] = caller.session.csrf;
  }
  if (caller.kind === 'key') headers.authorization = `Bearer ${caller.key}`;
  return h.app.inject({
    method: endpoint.method,
    url: endpoint.url(fixture),
    headers,
    remoteAddress: nextAddress(),
    ...(body === undefined ? {} : { payload: body as object }),
  });
}

/** A job of the organisation under test that gave up (what 失敗した処理 lists), for the retry row. */
async function insertFailedJob(h: Harness): Promise<string> {
  const id = randomUUID();
  const now = new Date().toISOString();
  await h.context.db
    .insertInto('jobs')
    .values({
      id,
      kind: 'mail.completion',
      payload: JSON.stringify({ envelopeId: randomUUID() }),
      dedupe_key: null,
      status: 'failed',
      attempts: 5,
      max_attempts: 5,
      run_at: now,
      locked_by: null,
      locked_until: null,
      last_error: 'SMTP 550',
      created_at: now,
      finished_at: now,
      worker_id: null,
      first_attempt_at: now,
      organization_id: h.org.id,
      failed_notice_at: now,
    })
    .execute();
  return id;
}

const label = (e: AdminEndpoint) =>
  `${e.method} ${e.url({ memberId: ':userId', heirId: ':heir', sessionId: ':id', apiKeyId: ':id', invitationId: ':id', envelopeId: ':id', contractId: ':id', webhookId: ':id', webhookDeliveryId: ':id', failedJobId: ':id', approvalRouteId: ':id', approvalEnvelopeId: ':id', approvalId: ':id' })}`;

for (const dialect of DIALECTS) {
  describe(`security matrix of the administration API (${dialect})`, () => {
    let h: Harness;
    let fixture: MatrixFixture;
    const callers: Record<string, TestSession> = {};
    let readKey: string;
    let adminKey: string;

    before(async () => {
      h = await startHarness(dialect);
      const member = await addMember(h, h.org, 'member');
      const heir = await addMember(h, h.org, 'member');
      const memberSession = await signIn(h, member);
      callers.member = memberSession;
      callers.viewer = await signIn(h, h.org.viewer);
      callers.admin = await signIn(h, h.org.admin);
      callers.otherAdmin = await signIn(h, h.other.admin);
      const invitation = await asSession(h, callers.admin, 'POST', '/api/v1/admin/invitations', {
        email: 'pending@example.jp',
        role: 'viewer',
      });
      const key = await asSession(h, callers.admin, 'POST', '/api/v1/admin/api-keys', {
        name: 'read',
        scopes: ['send', 'read', 'register'],
      });
      const admin = await asSession(h, callers.admin, 'POST', '/api/v1/admin/api-keys', {
        name: 'admin',
        scopes: ['admin'],
      });
      readKey = key.json().key as string;
      adminKey = admin.json().key as string;
      const session = await h.context.db
        .selectFrom('sessions')
        .select('token_hash')
        .where('user_id', '=', member.id)
        .executeTakeFirstOrThrow();
      const webhook = await asSession(h, callers.admin, 'POST', '/api/v1/admin/webhooks', {
        url: 'https://hooks.example.com/inkan',
        events: ['envelope.sent'],
      });
      const webhookId = webhook.json().endpoint.id as string;
      // A delivered delivery in the log (written directly: the matrix makes no outgoing request).
      const webhookDeliveryId = crypto.randomUUID();
      const at = new Date().toISOString();
      await h.context.db
        .insertInto('webhook_deliveries')
        .values({
          id: webhookDeliveryId,
          organization_id: h.org.id,
          endpoint_id: webhookId,
          event_id: crypto.randomUUID(),
          event_type: 'envelope.sent',
          chain_key: `event:${webhookDeliveryId}`,
          event_seq: 1,
          data: '{}',
          occurred_at: at,
          status: 'delivered',
          attempts: 1,
          last_attempt_at: at,
          last_status_code: 200,
          last_error: null,
          delivered_at: at,
          replay_of: null,
          created_at: at,
        })
        .execute();
      fixture = {
        webhookId,
        webhookDeliveryId,
        memberId: member.id,
        heirId: heir.id,
        sessionId: session.token_hash,
        apiKeyId: key.json().apiKey.id as string,
        invitationId: invitation.json().invitationId as string,
        ...(await retentionSubjects(h)),
        failedJobId: await insertFailedJob(h),
        ...(await approvalSubjects(h, callers.admin!, heir.id)),
      };
    });
    after(async () => h?.close());

    it('every endpoint × every wrong caller is refused with its code, and nothing changes', async () => {
      const before = await snapshot(h);
      const failures: string[] = [];
      const expect = (
        endpoint: AdminEndpoint,
        who: string,
        res: LightMyRequestResponse,
        status: number,
        code: string,
      ) => {
        const got = res.statusCode === 204 ? '' : (res.json() as { error?: { code?: string } }).error?.code;
        if (res.statusCode !== status || got !== code)
          failures.push(
            `${label(endpoint)} as ${who}: ${res.statusCode} ${got ?? res.body.slice(0, 80)} (expected ${status} ${code})`,
          );
        else if (!/[ぁ-んァ-ン一-龥]/.test((res.json() as { error: { message: string } }).error.message))
          failures.push(`${label(endpoint)} as ${who}: message not in Japanese`);
      };
      let rows = 0;
      for (const endpoint of ADMIN_ENDPOINTS) {
        const mutating = endpoint.method !== 'GET';
        expect(endpoint, 'nobody', await call(h, endpoint, fixture, { kind: 'none' }), 401, 'UNAUTHENTICATED');
        expect(
          endpoint,
          'a member',
          await call(h, endpoint, fixture, { kind: 'session', session: callers.member!, csrf: true }),
          403,
          'FORBIDDEN',
        );
        expect(
          endpoint,
          'a viewer',
          await call(h, endpoint, fixture, { kind: 'session', session: callers.viewer!, csrf: true }),
          403,
          'FORBIDDEN',
        );
        // Session-only endpoints refuse every key before looking at its scopes.
        expect(
          endpoint,
          'a key without admin scope',
          await call(h, endpoint, fixture, { kind: 'key', key: readKey }),
          403,
          endpoint.sessionOnly ? 'FORBIDDEN' : 'API_KEY_SCOPE',
        );
        rows += 4;
        if (mutating) {
          expect(
            endpoint,
            'the admin without CSRF',
            await call(h, endpoint, fixture, { kind: 'session', session: callers.admin!, csrf: false }),
            403,
            'CSRF_FAILED',
          );
          rows += 1;
        }
        if (endpoint.sessionOnly) {
          const res = await call(h, endpoint, fixture, { kind: 'key', key: adminKey });
          expect(endpoint, 'an admin-scoped key', res, 403, 'FORBIDDEN');
          rows += 1;
        }
        if (endpoint.scope === 'object') {
          expect(
            endpoint,
            'another organisation’s admin',
            await call(h, endpoint, fixture, { kind: 'session', session: callers.otherAdmin!, csrf: true }),
            404,
            'NOT_FOUND',
          );
          rows += 1;
        } else if (!mutating) {
          // Acting on its own organisation: nothing of the organisation under test may show.
          const res = await call(h, endpoint, fixture, { kind: 'session', session: callers.otherAdmin!, csrf: true });
          if (res.statusCode !== 200) failures.push(`${label(endpoint)} as another admin: ${res.statusCode}`);
          for (const secret of [h.org.admin.email, h.org.name, fixture.memberId])
            if (res.body.includes(secret)) failures.push(`${label(endpoint)} as another admin shows ${secret}`);
          rows += 1;
        }
      }
      assert.deepEqual(failures, []);
      assert.ok(rows >= ADMIN_ENDPOINTS.length * 5, `${rows} cases`);
      // The other administrator's own CSV export is logged in their organisation (by design): not a change here.
      const after = await snapshot(h);
      after.tables.events = after.tables.events!.filter(
        (row) => !(row.includes('"action":"audit.exported"') && row.includes(`"organization_id":"${h.other.id}"`)),
      );
      assert.deepEqual(after, before, 'no refused request changed anything');
      // The failed-job fixture has served (the harness's runJobs refuses to run beside a failed job).
      await h.context.db.deleteFrom('jobs').where('id', '=', fixture.failedJobId).execute();
    });

    it('XSS payloads in the organisation name, contacts and API key name come out escaped in mails', async () => {
      const payload = '<img src=x onerror=alert(1)><script>alert(2)</script>';
      const set = await asSession(h, callers.admin!, 'PATCH', '/api/v1/admin/organization', {
        name: `市役所${payload}`,
        supportContact: `窓口 ${payload}`,
      });
      assert.equal(set.statusCode, 200, set.body);
      assert.equal(set.json().name, `市役所${payload}`, 'stored as typed (escaping is the renderer’s job)');
      const key = await asSession(h, callers.admin!, 'POST', '/api/v1/admin/api-keys', {
        name: payload,
        scopes: ['read'],
      });
      assert.equal(key.statusCode, 201);
      await asSession(h, callers.admin!, 'POST', '/api/v1/admin/invitations', {
        email: 'xss@example.jp',
        role: 'member',
      });
      await asSession(h, callers.admin!, 'POST', '/api/v1/admin/mail/test', { to: 'xss-test@example.jp' });
      await h.runJobs();
      for (const address of ['xss@example.jp', 'xss-test@example.jp']) {
        const [mail] = await h.mailsTo(address);
        assert.ok(mail, address);
        assert.ok(!mail.html_body.includes('<img src=x'), `${address}: raw <img> in HTML`);
        assert.ok(!mail.html_body.includes('<script>'), `${address}: raw <script> in HTML`);
        assert.ok(mail.html_body.includes('&lt;img src=x onerror=alert(1)&gt;'), `${address}: escaped`);
        assert.ok(!/[\r\n]/.test(mail.subject));
      }
      // A display name cannot smuggle an address or a header into From.
      const header = await asSession(h, callers.admin!, 'PATCH', '/api/v1/admin/organization', {
        mailFromName: 'x\r\nBcc: a@evil.example',
      });
      assert.equal(header.statusCode, 400);
      await asSession(h, callers.admin!, 'PATCH', '/api/v1/admin/organization', {
        name: h.org.name,
        supportContact: null,
      });
    });

    it('return URLs that leave the site are refused (sign-up next, invitation and sign-in pages keep to the site)', async () => {
      for (const next of [
        '//evil.example/x',
        'https://evil.example/',
        '/\\evil.example',
        '/\t/evil.example',
        'javascript:alert(1)',
      ]) {
        const res = await h.app.inject({
          method: 'POST',
          url: '/api/account/signup',
          payload: { email: 'redirect@example.jp', next, language: 'ja' },
          remoteAddress: nextAddress(),
        });
        assert.equal(res.statusCode, 400, `${JSON.stringify(next)} → ${res.body}`);
        assert.equal(res.json().error.details.field, 'next');
      }
      const ok = await h.app.inject({
        method: 'POST',
        url: '/api/account/signup',
        payload: { email: 'redirect@example.jp', next: '/contracts?x=1', language: 'ja' },
        remoteAddress: nextAddress(),
      });
      assert.equal(ok.statusCode, 202, ok.body);
    });

    it('no account enumeration: sign-in, password reset and sign-up answer the same for known and unknown addresses', async () => {
      const strip = (res: LightMyRequestResponse) => ({ status: res.statusCode, body: res.body });
      const post = (url: string, payload: object) =>
        h.app.inject({
          method: 'POST',
          url,
          payload,
          remoteAddress: nextAddress(),
          headers: { 'accept-language': 'ja' },
        });
      const known = await post('/api/session', { email: h.org.viewer.email, password: 'wrong password here' });
      const unknown = await post('/api/session', { email: 'nobody-here@example.jp', password: 'wrong password here' });
      assert.deepEqual(strip(known), strip(unknown));
      assert.equal(known.statusCode, 401);
      const resetKnown = await post('/api/account/password/forgot', { email: h.org.viewer.email, language: 'ja' });
      const resetUnknown = await post('/api/account/password/forgot', {
        email: 'nobody-here@example.jp',
        language: 'ja',
      });
      assert.deepEqual(strip(resetKnown), strip(resetUnknown));
      const signupKnown = await post('/api/account/signup', { email: h.org.viewer.email, language: 'ja' });
      const signupUnknown = await post('/api/account/signup', { email: 'brand-new@example.jp', language: 'ja' });
      assert.deepEqual(strip(signupKnown), strip(signupUnknown));
      // The invitation preview tells only the holder of the link about its own address; a wrong token is one answer.
      const bogus = await post('/api/invitations/preview', { token: 'A'.repeat(43) });
      assert.equal(bogus.statusCode, 404);
      assert.equal(bogus.json().error.code, 'LINK_INVALID');
    });

    it('the table is complete: every documented operation a member is refused as not an administrator is in it', async () => {
      // A throwaway member (its own sessions may end here) calls every operation of the OpenAPI document
      // with its CSRF token, random ids and no body: administrators' routes refuse it first (FORBIDDEN).
      const member = await signIn(h, await addMember(h, h.org, 'member'));
      const document = (await h.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as {
        paths: Record<string, Record<string, unknown>>;
      };
      // The table's URLs (fixture ids as :name, or literal values) against each documented path template.
      const tableUrls = ADMIN_ENDPOINTS.map((e) => `${e.method} ${label(e).split(' ')[1]!.split('?')[0]!}`);
      const inTable = (verb: string, path: string) => {
        const template = new RegExp(
          `^${verb} ${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`,
        );
        return tableUrls.some((url) => template.test(url));
      };
      const missing: string[] = [];
      let calls = 0;
      for (const [path, operations] of Object.entries(document.paths)) {
        for (const method of Object.keys(operations)) {
          const verb = method.toUpperCase();
          if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(verb)) continue;
          if (verb === 'DELETE' && path === '/api/session') continue; // signing out is no administrator's matter
          const url = path.replace(/\{[^}]+\}/g, () => randomUUID());
          const res = await asSession(h, member, verb, url);
          calls += 1;
          const code = String(res.headers['content-type'] ?? '').includes('json')
            ? (res.json() as { error?: { code?: string } }).error?.code
            : undefined;
          if (res.statusCode === 403 && code === 'FORBIDDEN' && !inTable(verb, path)) missing.push(`${verb} ${path}`);
        }
      }
      assert.ok(calls > 50, `${calls} operations called`);
      assert.deepEqual(missing, [], 'administrators-only operations missing from helpers/admin-endpoints.ts');
    });
  });
}

/** 稟議: a route (approver: `approverId`) and an envelope of the organisation waiting on it, with its open approval. */
async function approvalSubjects(
  h: Harness,
  admin: TestSession,
  approverId: string,
): Promise<{ approvalRouteId: string; approvalEnvelopeId: string; approvalId: string }> {
  const route = await asSession(h, admin, 'POST', '/api/v1/approval-routes', {
    name: 'matrix route',
    steps: [{ mode: 'all', approverIds: [approverId] }],
  });
  assert.equal(route.statusCode, 201, route.body);
  const created = await h.createEnvelope(
    h.org,
    {
      name: 'approval matrix',
      recipients: [{ name: '署名者', email: 'signer@example.jp', accessCode: '1234', order: 1 }],
    },
    [{ filename: 'a.pdf', data: await makePdf({ pages: 1, text: 'approval matrix' }) }],
  );
  const envelopeId = created.json().id as string;
  const sent = await h.api(h.org, 'POST', `/api/v1/envelopes/${envelopeId}/send`, { approvalRouteId: route.json().id });
  assert.equal(sent.json().status, 'pending_approval', sent.body);
  const approval = await h.context.db
    .selectFrom('envelope_approvals')
    .select('id')
    .where('envelope_id', '=', envelopeId)
    .executeTakeFirstOrThrow();
  return { approvalRouteId: route.json().id as string, approvalEnvelopeId: envelopeId, approvalId: approval.id };
}

/** A draft envelope and a register entry of the organisation under test (the legal-hold rows). */
async function retentionSubjects(h: Harness): Promise<{ envelopeId: string; contractId: string }> {
  const created = await h.createEnvelope(
    h.org,
    { name: 'matrix', recipients: [{ name: '署名者', email: 'signer@example.jp', accessCode: '1234', order: 1 }] },
    [{ filename: 'matrix.pdf', data: await makePdf({ pages: 1 }) }],
  );
  assert.equal(created.statusCode, 201, created.body);
  const contractId = randomUUID();
  const at = new Date().toISOString();
  await h.context.db
    .insertInto('contracts')
    .values(contractRow({ id: contractId, at, title: 'matrix', source: 'import', organizationId: h.org.id }))
    .execute();
  return { envelopeId: created.json().id as string, contractId };
}
