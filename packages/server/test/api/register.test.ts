// The contract register through the HTTP API on SQLite and PostgreSQL: 自動登録 after a completed
// envelope, 保管 (claim) links of the completion mail, PATCH with history, append-only history in the
// database, documents at any time, cross-scope 404s and CSV formula safety.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { strFromU8, unzipSync } from 'fflate';
import { sha256Hex } from '../../src/domain/hashing.ts';
import { hashPassword, newId } from '../../src/security/tokens.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { completeEnvelope, SIGNER } from '../verify/helpers/signed-envelope.ts';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { counts, multipart, snapshot, startHarness, type Harness, type TestOrganization } from './helpers/harness.ts';

const DAY = 24 * 3600_000;

/** A signed-in session of a seeded user: cookie and CSRF headers. */
async function signIn(
  h: Harness,
  user: { email: string; password: string },
  ip: string,
): Promise<Record<string, string>> {
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/session',
    payload: { email: user.email, password: user.password },
    remoteAddress: ip,
  });
  assert.equal(res.statusCode, 200, res.body);
  return {
    cookie: `inkan_session=${res.cookies.find((c) => c.name === 'inkan_session')!.value}`,
    'x-csrf-token': res.json().csrfToken,
  };
}

function claimToken(text: string): string {
  const match = /http:\/\/inkan\.test\/claim\/([A-Za-z0-9_-]+)/.exec(text);
  assert.ok(match, `an Inkanで保管 link in the mail:\n${text}`);
  return match[1];
}

for (const dialect of DIALECTS) {
  describe(`contract register (${dialect})`, () => {
    let h: Harness;
    let envelopeId: string;
    let contractId: string;

    before(async () => {
      h = await startHarness(dialect);
      const envelope = await completeEnvelope(h, { name: '庁舎清掃業務委託契約（2026年度）' });
      envelopeId = envelope.id;
    });
    after(async () => {
      await h?.close();
    });

    const api = (org: TestOrganization, method: string, url: string, body?: unknown) => h.api(org, method, url, body);

    it('自動登録: the completed envelope is in its organisation register with recipients, 締結日, documents, certificate and text', async () => {
      const list = await api(h.org, 'GET', '/api/v1/contracts');
      assert.equal(list.statusCode, 200, list.body);
      assert.equal(list.json().items.length, 1);
      const entry = list.json().items[0];
      contractId = entry.id;
      assert.equal(entry.source, 'envelope');
      assert.equal(entry.scope, 'organization');
      assert.equal(entry.envelopeId, envelopeId);
      assert.equal(entry.title, '庁舎清掃業務委託契約（2026年度）');
      assert.deepEqual(entry.counterparties, [SIGNER.name]);
      const envelope = (await api(h.org, 'GET', `/api/v1/envelopes/${envelopeId}`)).json();
      assert.equal(
        entry.signedOn,
        new Date(new Date(envelope.completedAt).getTime() + 9 * 3600_000).toISOString().slice(0, 10),
      );
      assert.equal(entry.owner, null, 'created by API key: no 担当者 yet');
      const registered = await h.context.db
        .selectFrom('events')
        .selectAll()
        .where('action', '=', 'contract.registered')
        .execute();
      assert.equal(registered.length, 1);
      assert.equal(registered[0].envelope_id, envelopeId);
      // Same transaction as the certificate: the certificate event sits right before it in the chain.
      const issued = await h.context.db
        .selectFrom('events')
        .select('seq')
        .where('action', '=', 'envelope.certificate-issued')
        .executeTakeFirstOrThrow();
      assert.ok(registered[0].seq > issued.seq);

      const detail = (await api(h.org, 'GET', `/api/v1/contracts/${contractId}`)).json();
      assert.deepEqual(
        detail.documents.map((d: { kind: string }) => d.kind),
        ['signed', 'signed', 'certificate'],
      );
      const certificate = await api(h.org, 'GET', `/api/v1/contracts/${contractId}/certificate`);
      assert.equal(certificate.statusCode, 200);
      assert.equal(sha256Hex(new Uint8Array(certificate.rawPayload)), detail.documents[2].sha256);
      const signed = await api(h.org, 'GET', `/api/v1/contracts/${contractId}/documents/${detail.documents[0].id}`);
      assert.equal(signed.statusCode, 200);
      assert.equal(sha256Hex(new Uint8Array(signed.rawPayload)), detail.documents[0].sha256);
      // Full text from the signed PDFs' text layer (NFKC, case-insensitive substring).
      const found = await api(h.org, 'GET', `/api/v1/contracts?q=${encodeURIComponent('ＳＥＲＶＩＣＥ agreement')}`);
      assert.equal(found.json().items.length, 1, found.body);
      assert.equal(
        (await api(h.org, 'GET', `/api/v1/contracts?q=${encodeURIComponent('no such words')}`)).json().items.length,
        0,
      );
      assert.equal(
        (await api(h.org, 'GET', `/api/v1/contracts?q=${encodeURIComponent('清掃業務')}`)).json().items.length,
        1,
        'title',
      );
    });

    it('PATCH writes exactly one history row per changed field; bad input changes nothing', async () => {
      const patch = await api(h.org, 'PATCH', `/api/v1/contracts/${contractId}`, {
        amount: '１，２３４，５６７円',
        startOn: '令和8年4月1日',
        endOn: '2027-03-31',
        tags: ['清掃', '年度契約'],
        owner: h.org.admin.id,
        title: '庁舎清掃業務委託契約（2026年度）',
      });
      assert.equal(patch.statusCode, 200, patch.body);
      const body = patch.json();
      assert.equal(body.amount, 1234567);
      assert.equal(body.startOn, '2026-04-01');
      assert.deepEqual(body.tags, ['年度契約', '清掃']);
      assert.deepEqual(
        body.history.map((r: { field: string }) => r.field).sort(),
        ['amount', 'endOn', 'owner', 'startOn', 'tags'],
        'the unchanged title leaves no row',
      );
      const amountRow = body.history.find((r: { field: string }) => r.field === 'amount');
      assert.deepEqual([amountRow.oldValue, amountRow.newValue, amountRow.actor.type], [null, 1234567, 'api_key']);

      const again = await api(h.org, 'PATCH', `/api/v1/contracts/${contractId}`, {
        amount: '¥1,234,567',
        memo: '更新は書面で',
      });
      assert.equal(again.statusCode, 200);
      assert.equal(again.json().history.length, 6, 'one new row: memo (the amount is the same)');

      for (const [body2, code] of [
        [{ amount: '-5' }, 'INVALID_AMOUNT'],
        [{ amount: 'たくさん' }, 'INVALID_AMOUNT'],
        [{ amount: '1000000000000001' }, 'INVALID_AMOUNT'],
        [{ endOn: '2026-02-30' }, 'INVALID_DATE'],
        [{ endOn: '2026-03-01' }, 'DATE_ORDER'],
        [{ startOn: '2028-01-01' }, 'DATE_ORDER'],
        [{ owner: h.other.admin.id }, 'VALIDATION_FAILED'],
        [{ nope: 1 }, 'VALIDATION_FAILED'],
        [{ signedOn: '2026-01-01' }, 'VALIDATION_FAILED'],
      ] as const) {
        const before = await snapshot(h);
        const bad = await h.app.inject({
          method: 'PATCH',
          url: `/api/v1/contracts/${contractId}`,
          headers: { authorization: `Bearer ${h.org.apiKey}`, 'accept-language': 'ja' },
          payload: body2,
        });
        assert.equal(bad.statusCode, 400, `${JSON.stringify(body2)}: ${bad.body}`);
        assert.equal(bad.json().error.code, code, JSON.stringify(body2));
        assert.match(bad.json().error.message, /[ぁ-んァ-ン一-龥]/, 'a Japanese message');
        assert.deepEqual(await snapshot(h), before, `${JSON.stringify(body2)} changed nothing`);
      }
      const history = await h.context.db
        .selectFrom('contract_history')
        .select('id')
        .where('contract_id', '=', contractId)
        .execute();
      assert.equal(history.length, 6);
    });

    it('the database refuses UPDATE and DELETE of history rows', async () => {
      const row = await h.context.db
        .selectFrom('contract_history')
        .selectAll()
        .where('contract_id', '=', contractId)
        .executeTakeFirstOrThrow();
      await assert.rejects(
        h.context.db.updateTable('contract_history').set({ new_value: '"forged"' }).where('id', '=', row.id).execute(),
        /append-only/,
      );
      await assert.rejects(
        h.context.db.deleteFrom('contract_history').where('id', '=', row.id).execute(),
        /append-only/,
      );
      const still = await h.context.db
        .selectFrom('contract_history')
        .selectAll()
        .where('id', '=', row.id)
        .executeTakeFirstOrThrow();
      assert.deepEqual(still, row);
    });

    it("members: the organisation's people by name for 担当者, never another organisation's; the account itself in a personal register", async () => {
      const ours = await api(h.org, 'GET', '/api/v1/contracts/members');
      assert.equal(ours.statusCode, 200, ours.body);
      const ids = (ours.json() as { items: Array<{ id: string; name: string; email: string }> }).items.map((m) => m.id);
      assert.deepEqual(new Set(ids), new Set([h.org.admin.id, h.org.viewer.id]));
      const theirs = (await api(h.other, 'GET', '/api/v1/contracts/members')).json() as {
        items: Array<{ id: string }>;
      };
      assert.ok(!theirs.items.some((m) => ids.includes(m.id)), JSON.stringify(theirs.items));
      const session = await signIn(h, h.org.viewer, '10.7.0.21');
      const personal = await h.app.inject({
        method: 'GET',
        url: '/api/v1/contracts/members?scope=personal',
        headers: session,
      });
      assert.equal(personal.statusCode, 200, personal.body);
      assert.deepEqual(
        (personal.json() as { items: Array<{ id: string }> }).items.map((m) => m.id),
        [h.org.viewer.id],
      );
      assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/contracts/members' })).statusCode, 401);
    });

    it("another organisation's entry is 404 everywhere, and a viewer cannot change it", async () => {
      const detail = (await api(h.org, 'GET', `/api/v1/contracts/${contractId}`)).json();
      const viewer = await signIn(h, h.org.viewer, '10.7.0.1');
      const before = await snapshot(h);
      for (const [method, url, body] of [
        ['GET', `/api/v1/contracts/${contractId}`],
        ['PATCH', `/api/v1/contracts/${contractId}`, { memo: 'x' }],
        ['GET', `/api/v1/contracts/${contractId}/certificate`],
        ['GET', `/api/v1/contracts/${contractId}/documents/${detail.documents[0].id}`],
      ] as const) {
        const res = await api(h.other, method, url, body);
        assert.equal(res.statusCode, 404, `${method} ${url}`);
        assert.equal(res.json().error.code, 'NOT_FOUND');
      }
      assert.equal((await api(h.other, 'GET', '/api/v1/contracts')).json().items.length, 0);
      assert.equal(
        (await h.app.inject({ method: 'GET', url: `/api/v1/contracts/${contractId}`, headers: viewer })).statusCode,
        200,
      );
      const denied = await h.app.inject({
        method: 'PATCH',
        url: `/api/v1/contracts/${contractId}`,
        headers: viewer,
        payload: { memo: 'x' },
      });
      assert.equal(denied.statusCode, 403);
      // Personal register of an org member: empty, and the org entry is not in it.
      const personal = await h.app.inject({
        method: 'GET',
        url: `/api/v1/contracts/${contractId}?scope=personal`,
        headers: viewer,
      });
      assert.equal(personal.statusCode, 404);
      assert.deepEqual(await snapshot(h), before);
    });

    it('a personal account (no organisation) works on its own register by default', async () => {
      const personal = { email: `personal-${newId().slice(0, 8)}@example.jp`, password: 'personal-account-pw 42' };
      const id = newId();
      await h.context.db
        .insertInto('users')
        .values({
          id,
          email: personal.email,
          name: '個人 利用者',
          password_hash: await hashPassword(personal.password),
          created_at: new Date().toISOString(),
        })
        .execute();
      const session = await signIn(h, personal, '10.7.0.9');
      const list = await h.app.inject({ method: 'GET', url: '/api/v1/contracts', headers: session });
      assert.equal(list.statusCode, 200, list.body);
      assert.deepEqual(list.json().items, []);
      assert.equal(
        (await h.app.inject({ method: 'GET', url: `/api/v1/contracts/${contractId}`, headers: session })).statusCode,
        404,
      );
      const org = await h.app.inject({ method: 'GET', url: '/api/v1/contracts?scope=organization', headers: session });
      assert.equal(org.statusCode, 403);
      assert.equal(
        (
          await h.app.inject({
            method: 'GET',
            url: '/api/v1/contracts?scope=personal',
            headers: { authorization: `Bearer ${h.org.apiKey}` },
          })
        ).statusCode,
        403,
      );

      // A personal import with history; deleting the account removes its entries and only then their
      // history (the append-only trigger allows a delete once the entry is gone).
      const body = multipart([
        { name: 'contract', value: JSON.stringify({ title: '個人の賃貸借契約' }), contentType: 'application/json' },
        { name: 'document', filename: 'lease.pdf', data: await makePdf({ pages: 1, text: 'Lease' }) },
      ]);
      const imported = await h.app.inject({
        method: 'POST',
        url: '/api/v1/contracts/import',
        payload: body.payload,
        headers: { ...body.headers, ...session },
      });
      assert.equal(imported.statusCode, 201, imported.body);
      assert.equal(imported.json().scope, 'personal');
      const patched = await h.app.inject({
        method: 'PATCH',
        url: `/api/v1/contracts/${imported.json().id}`,
        headers: session,
        payload: { memo: '更新時に家賃改定' },
      });
      assert.equal(patched.json().history.length, 1);
      // The account's data export carries its personal register: fields, history and the PDF itself.
      const exported = await h.app.inject({ method: 'POST', url: '/api/account/export', headers: session });
      assert.equal(exported.statusCode, 200, exported.body);
      const files = unzipSync(new Uint8Array(exported.rawPayload));
      const entryId = imported.json().id as string;
      assert.deepEqual(
        JSON.parse(strFromU8(files['contracts/index.json']!)).map((e: { id: string }) => e.id),
        [entryId],
      );
      const entry = JSON.parse(strFromU8(files[`contracts/${entryId}/entry.json`]!));
      assert.equal(entry.contract.title, '個人の賃貸借契約');
      assert.deepEqual(
        entry.history.map((c: { field: string }) => c.field),
        ['memo'],
      );
      const pdfPath = Object.keys(files).find((p) => p.startsWith(`contracts/${entryId}/`) && p.endsWith('lease.pdf'));
      assert.ok(pdfPath, Object.keys(files).join(', '));
      assert.equal(sha256Hex(files[pdfPath]!), entry.documents[0].sha256);
      await h.context.db.deleteFrom('users').where('id', '=', id).execute();
      assert.equal(
        (await h.context.db.selectFrom('contracts').select('id').where('owner_user_id', '=', id).execute()).length,
        0,
      );
      assert.equal(
        (
          await h.context.db
            .selectFrom('contract_history')
            .select('id')
            .where('contract_id', '=', imported.json().id)
            .execute()
        ).length,
        0,
      );
    });

    it('保管: the completion mail has the claim button; GET shows it; POST claims (idempotent); others get CLAIM_ALREADY_USED', async () => {
      const completion = (await h.mailsTo(SIGNER.email)).find((m) => m.subject === '電子署名完了のお知らせ');
      assert.ok(completion);
      assert.match(completion.html_body, /Inkanで保管/);
      const token = claimToken(completion.text_body);
      assert.ok(token.length >= 22);
      const stored = await h.context.db.selectFrom('claim_links').selectAll().execute();
      assert.equal(stored.length, 1, 'one link per recipient (the sender gets none)');
      assert.ok(!JSON.stringify(stored).includes(token), 'only the hash is stored');

      const before = await snapshot(h);
      const view = await h.app.inject({ method: 'GET', url: `/api/claims/${token}` });
      assert.equal(view.statusCode, 200, view.body);
      assert.equal(view.json().status, 'claimable');
      assert.deepEqual(view.json().envelope.name, '庁舎清掃業務委託契約（2026年度）');
      assert.equal(view.json().sender.organization, h.org.name);
      assert.deepEqual(await snapshot(h), before, 'GET has no side effect');

      const malformed = await h.app.inject({ method: 'GET', url: '/api/claims/x' });
      assert.equal(malformed.statusCode, 404);
      assert.equal(malformed.json().error.code, 'CLAIM_INVALID');
      const unknown = await h.app.inject({ method: 'GET', url: `/api/claims/${'A'.repeat(43)}` });
      assert.equal(unknown.json().error.code, 'CLAIM_INVALID');

      // The claimer (an account; here a user of the other organisation) signs in, then claims.
      const account = await signIn(h, h.other.admin, '10.7.0.2');
      const anonymous = await h.app.inject({ method: 'POST', url: `/api/claims/${token}` });
      assert.equal(anonymous.statusCode, 401);
      const noCsrf = await h.app.inject({
        method: 'POST',
        url: `/api/claims/${token}`,
        headers: { cookie: account.cookie },
      });
      assert.equal(noCsrf.statusCode, 403);
      const claimed = await h.app.inject({
        method: 'POST',
        url: `/api/claims/${token}`,
        headers: { ...account, 'user-agent': 'claim-test/1.0' },
        remoteAddress: '10.7.0.2',
      });
      assert.equal(claimed.statusCode, 201, claimed.body);
      const personalId = claimed.json().contractId;
      const twice = await h.app.inject({
        method: 'POST',
        url: `/api/claims/${token}`,
        headers: account,
        remoteAddress: '10.7.0.2',
      });
      assert.equal(twice.statusCode, 200);
      assert.equal(twice.json().contractId, personalId, 'idempotent');
      assert.equal(
        (await h.app.inject({ method: 'GET', url: `/api/claims/${token}`, headers: account })).json().status,
        'claimed-by-you',
      );
      assert.equal(
        (await h.context.db.selectFrom('contracts').select('id').where('source', '=', 'claim').execute()).length,
        1,
      );

      const other = await signIn(h, h.org.admin, '10.7.0.3');
      const used = await h.app.inject({ method: 'POST', url: `/api/claims/${token}`, headers: other });
      assert.equal(used.statusCode, 409);
      assert.equal(used.json().error.code, 'CLAIM_ALREADY_USED');

      // The claim is in the sender's operation log, on the envelope, with account, IP and user agent.
      const events = (await api(h.org, 'GET', `/api/v1/envelopes/${envelopeId}/events`)).json().items;
      const claimEvent = events.find((e: { action: string }) => e.action === 'contract.claimed');
      assert.ok(claimEvent, JSON.stringify(events.map((e: { action: string }) => e.action)));
      const row = await h.context.db
        .selectFrom('events')
        .selectAll()
        .where('action', '=', 'contract.claimed')
        .executeTakeFirstOrThrow();
      assert.deepEqual(
        [row.organization_id, row.actor_id, row.ip, row.user_agent],
        [h.org.id, h.other.admin.id, '10.7.0.2', 'claim-test/1.0'],
      );

      // The personal entry: in the account's personal register only, with its own copies of the PDFs.
      const mine = await h.app.inject({
        method: 'GET',
        url: `/api/v1/contracts/${personalId}?scope=personal`,
        headers: account,
      });
      assert.equal(mine.statusCode, 200, mine.body);
      assert.equal(mine.json().source, 'claim');
      assert.deepEqual(mine.json().counterparties, [h.org.name]);
      assert.deepEqual(
        mine.json().documents.map((d: { kind: string }) => d.kind),
        ['signed', 'signed', 'certificate'],
      );
      assert.equal(
        (await api(h.other, 'GET', `/api/v1/contracts/${personalId}`)).statusCode,
        404,
        'not in the organisation register',
      );
      assert.equal(
        (await api(h.org, 'GET', `/api/v1/contracts/${personalId}`)).statusCode,
        404,
        "not in the sender's register",
      );
      const copies = await h.context.db
        .selectFrom('contract_documents')
        .select(['blob', 'owned'])
        .where('contract_id', '=', personalId)
        .execute();
      const envelopeBlobs = new Set(
        (
          await h.context.db
            .selectFrom('documents')
            .select('blob_current')
            .where('envelope_id', '=', envelopeId)
            .execute()
        ).map((d) => d.blob_current),
      );
      assert.ok(
        copies.every((c) => c.owned === 1 && !envelopeBlobs.has(c.blob)),
        'own blobs',
      );

      // The sender's side disappears (retention, deletion): the claimed copy stays downloadable.
      for (const blob of envelopeBlobs) await h.context.blobs.delete(blob);
      const certificateBlob = (
        await h.context.db
          .selectFrom('envelopes')
          .select('certificate_blob')
          .where('id', '=', envelopeId)
          .executeTakeFirstOrThrow()
      ).certificate_blob!;
      await h.context.blobs.delete(certificateBlob);
      for (const d of mine.json().documents) {
        const file = await h.app.inject({
          method: 'GET',
          url: `/api/v1/contracts/${personalId}/documents/${d.id}?scope=personal`,
          headers: account,
        });
        assert.equal(file.statusCode, 200, file.body);
        assert.equal(sha256Hex(new Uint8Array(file.rawPayload)), d.sha256);
      }
    });

    it('an expired claim link answers 410 naming the sender; malformed 404', async () => {
      // A second envelope, then past INKAN_CLAIM_TTL (30 days).
      const signer = { name: '佐藤 花子', email: 'hanako@example.jp', code: '5931', userAgent: 'register-test/1.0' };
      await completeEnvelope(h, { name: '保守契約', signer });
      const mail = (await h.mailsTo(signer.email)).find((m) => m.subject === '電子署名完了のお知らせ');
      assert.ok(mail);
      const token = claimToken(mail.text_body);
      h.clock.advance(31 * DAY);
      const account = await signIn(h, h.other.admin, '10.7.0.4');
      const before = await counts(h);
      const expired = await h.app.inject({
        method: 'GET',
        url: `/api/claims/${token}`,
        headers: { 'accept-language': 'ja' },
      });
      assert.equal(expired.statusCode, 410);
      assert.equal(expired.json().error.code, 'CLAIM_EXPIRED');
      assert.equal(expired.json().error.details.sender.organization, h.org.name);
      assert.match(expired.json().error.message, /保管可能期間が過ぎています/);
      assert.match(expired.json().error.message, new RegExp(h.org.name));
      const late = await h.app.inject({ method: 'POST', url: `/api/claims/${token}`, headers: account });
      assert.equal(late.statusCode, 410);
      assert.deepEqual(await counts(h), before);
    });

    it('CSV export: BOM, Japanese headers, formula-safe cells (= + - @ | % ＝)', async () => {
      const dangerous = ['=HYPERLINK("x")', '+1', '-1', '@SUM(A1)', '|calc', '%0A', '＝１＋１'];
      await api(h.org, 'PATCH', `/api/v1/contracts/${contractId}`, { counterparties: dangerous });
      const csv = await api(h.org, 'GET', '/api/v1/contracts.csv?sort=signedOn');
      assert.equal(csv.statusCode, 200, csv.body);
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      assert.ok(csv.body.startsWith('\uFEFFID,タイトル,取引先,締結日'), csv.body.slice(0, 40));
      const lines = csv.body.split('\r\n');
      assert.equal(lines.length, 4, 'header, two entries, final CRLF');
      const row = lines.find((l) => l.startsWith(contractId))!;
      // The counterparties cell starts with the first name: prefixed with an apostrophe.
      assert.ok(row.includes(',"\'=HYPERLINK(""x"") / +1 / -1'), row);
      const cells = await api(h.org, 'PATCH', `/api/v1/contracts/${contractId}`, {
        counterparties: ['＝１＋１'],
        title: '|calc',
      });
      assert.equal(cells.statusCode, 200);
      const csv2 = (await api(h.org, 'GET', '/api/v1/contracts.csv')).body;
      assert.match(csv2, new RegExp(`${contractId},'\\|calc,'＝１＋１,`));
    });
  });
}
