// Senders' everyday tools (issue 11 part 5) through the API, on SQLite and PostgreSQL: a draft is edited
// (name, message, expiry, recipients, documents added and removed) and a sent one refuses every change;
// access codes are kept encrypted, shown again only to the envelope's sender with an
// `access_code.revealed` event that never holds the code, while the signer's code is still checked
// against the hash; 複製 and 修正して再送 make a new draft from the original bytes, linked both ways.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { sha256Hex } from '../../src/domain/hashing.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { linkIn, multipart, snapshot, startHarness, type Harness, type TestOrganization } from './helpers/harness.ts';

interface EnvelopeJson {
  id: string;
  name: string;
  message: string;
  status: string;
  expiresAt: string | null;
  sourceEnvelopeId: string | null;
  isSender?: boolean;
  documents: Array<{ id: string; name: string; sha256: string; sha256Original: string }>;
  recipients: Array<{
    id: string;
    name: string;
    email: string;
    order: number;
    auth: string;
    accessCode?: string;
    accessCodeStored: boolean;
  }>;
}

const CODE_A = '58213947';
const CODE_C = '90417';

for (const dialect of DIALECTS) {
  describe(`senders' tools (${dialect})`, () => {
    let h: Harness;
    let pdfA: Uint8Array;
    let pdfB: Uint8Array;
    let adminHeaders: Record<string, string>;

    before(async () => {
      h = await startHarness(dialect);
      pdfA = await makePdf({ pages: 1, text: 'Contract A' });
      pdfB = await makePdf({ pages: 2, text: 'Annex B' });
      const admin = await h.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email: h.org.admin.email, password: h.org.admin.password },
        remoteAddress: '10.9.0.2',
      });
      assert.equal(admin.statusCode, 200, admin.body);
      adminHeaders = {
        cookie: `inkan_session=${admin.cookies.find((c) => c.name === 'inkan_session')!.value}`,
        'x-csrf-token': admin.json().csrfToken,
      };
    });
    after(async () => h?.close());

    const create = async (org: TestOrganization = h.org): Promise<EnvelopeJson> => {
      const res = await h.createEnvelope(
        org,
        {
          name: '業務委託契約',
          message: 'ご確認ください。',
          recipients: [
            { name: '受注者 一郎', email: 'ichiro@example.jp', order: 1, accessCode: CODE_A },
            { name: '受注者 二郎', email: 'jiro@example.jp', order: 2 },
          ],
        },
        [{ filename: 'keiyaku.pdf', data: pdfA }],
      );
      assert.equal(res.statusCode, 201, res.body);
      return res.json();
    };
    const reveal = (envelopeId: string, recipientId: string, headers?: Record<string, string>) =>
      headers
        ? h.app.inject({
            method: 'POST',
            url: `/api/v1/envelopes/${envelopeId}/recipients/${recipientId}/access-code/reveal`,
            headers: { ...headers, 'accept-language': 'ja' },
            remoteAddress: '10.9.0.2',
          })
        : h.api(h.org, 'POST', `/api/v1/envelopes/${envelopeId}/recipients/${recipientId}/access-code/reveal`);
    const events = async (envelopeId: string) =>
      (await h.api(h.org, 'GET', `/api/v1/envelopes/${envelopeId}/events`)).json().items as Array<{
        action: string;
        actor: { type: string; name: string };
        ip: string | null;
        details: Record<string, unknown>;
      }>;

    it('a draft is edited: name, message, expiry and recipients; codes stay unless changed', async () => {
      const envelope = await create();
      const [a, b] = envelope.recipients;
      assert.equal(a!.accessCodeStored, true);
      // A field on the recipient who will be removed goes with them.
      const placed = await h.api(h.org, 'PUT', `/api/v1/envelopes/${envelope.id}/fields`, {
        fields: [
          {
            documentId: envelope.documents[0]!.id,
            recipientId: b!.id,
            page: 1,
            rect: [60, 100, 200, 122],
            kind: 'date',
          },
        ],
      });
      assert.equal(placed.statusCode, 200, placed.body);

      const expiresAt = new Date(Date.now() + 10 * 86_400_000).toISOString();
      const res = await h.api(h.org, 'PATCH', `/api/v1/envelopes/${envelope.id}`, {
        name: '業務委託契約（改訂版）',
        message: '第3条を修正しました。',
        expiresAt,
        recipients: [
          { id: a!.id, name: '受注者 一郎', email: 'ichiro@example.jp', order: 2 },
          { name: '新しい 三郎', email: 'saburo@example.jp', order: 1, accessCode: CODE_C },
        ],
      });
      assert.equal(res.statusCode, 200, res.body);
      const edited: EnvelopeJson = res.json();
      assert.equal(edited.name, '業務委託契約（改訂版）');
      assert.equal(edited.message, '第3条を修正しました。');
      assert.equal(edited.expiresAt, expiresAt);
      assert.deepEqual(
        edited.recipients.map((r) => [r.name, r.order]),
        [
          ['新しい 三郎', 1],
          ['受注者 一郎', 2],
        ],
      );
      assert.equal(edited.recipients.find((r) => r.name === '受注者 一郎')!.id, a!.id, 'kept recipient keeps its id');
      const fields = await h.api(h.org, 'GET', `/api/v1/envelopes/${envelope.id}/fields`);
      assert.deepEqual(fields.json().items, [], "the removed recipient's field is gone");
      // The kept recipient's code is unchanged; the new one has the given code.
      assert.equal((await reveal(envelope.id, a!.id)).json().accessCode, CODE_A);
      const c = edited.recipients.find((r) => r.name === '新しい 三郎')!;
      assert.equal((await reveal(envelope.id, c.id)).json().accessCode, CODE_C);
      const updated = (await events(envelope.id)).find((e) => e.action === 'envelope.updated')!;
      assert.deepEqual(updated.details.changes, ['name', 'message', 'expiresAt', 'recipients']);
      assert.ok(!JSON.stringify(updated.details).includes(CODE_C), 'no code in the event');

      // Two kept recipients swap places (signing orders are unique: the swap must not trip over that).
      const swapped = await h.api(h.org, 'PATCH', `/api/v1/envelopes/${envelope.id}`, {
        recipients: edited.recipients
          .sort((x, y) => y.order - x.order)
          .map((r, i) => ({ id: r.id, name: r.name, email: r.email, order: i + 1 })),
      });
      assert.equal(swapped.statusCode, 200, swapped.body);
      assert.deepEqual(
        (swapped.json() as EnvelopeJson).recipients.map((r) => [r.name, r.order]),
        [
          ['受注者 一郎', 1],
          ['新しい 三郎', 2],
        ],
      );
      assert.equal((await reveal(envelope.id, a!.id)).json().accessCode, CODE_A);

      // Clearing the expiry.
      const cleared = await h.api(h.org, 'PATCH', `/api/v1/envelopes/${envelope.id}`, { expiresAt: null });
      assert.equal(cleared.json().expiresAt, null);
    });

    it('bad edits are refused with stable codes and change nothing', async () => {
      const envelope = await create();
      const [a] = envelope.recipients;
      const viewer = await h.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email: h.org.viewer.email, password: h.org.viewer.password },
      });
      const before = await snapshot(h);
      const url = `/api/v1/envelopes/${envelope.id}`;
      for (const [body, status, code] of [
        [{ name: '' }, 400, 'VALIDATION_FAILED'],
        [{ expiresAt: '2000-01-01T00:00:00Z' }, 400, 'VALIDATION_FAILED'],
        [{ recipients: [] }, 400, 'NO_RECIPIENTS'],
        [{ recipients: [{ id: a!.id, name: 'x', email: 'not-an-address', order: 1 }] }, 400, 'INVALID_EMAIL'],
        [
          { recipients: [{ name: 'x', email: 'x@example.jp', order: 1, accessCode: '12' }] },
          400,
          'INVALID_ACCESS_CODE_FORMAT',
        ],
        [
          { recipients: [{ id: '00000000-0000-4000-8000-000000000000', name: 'x', email: 'x@example.jp', order: 1 }] },
          400,
          'VALIDATION_FAILED',
        ],
        [{ unknownProperty: 1 }, 400, 'VALIDATION_FAILED'],
      ] as const) {
        const res = await h.api(h.org, 'PATCH', url, body);
        assert.equal(res.statusCode, status, `${JSON.stringify(body)}: ${res.body}`);
        assert.equal(res.json().error.code, code, JSON.stringify(body));
      }
      const other = await h.api(h.other, 'PATCH', url, { name: 'x' });
      assert.equal(other.statusCode, 404, "another organisation's envelope is not found");
      const viewerRes = await h.app.inject({
        method: 'PATCH',
        url,
        payload: { name: 'x' },
        headers: {
          cookie: `inkan_session=${viewer.cookies.find((c) => c.name === 'inkan_session')!.value}`,
          'x-csrf-token': viewer.json().csrfToken,
        },
      });
      assert.equal(viewerRes.statusCode, 403);
      assert.deepEqual(await snapshot(h), before);
    });

    it("a draft's documents are added and removed; the last one stays; bad files change nothing", async () => {
      const envelope = await create();
      const url = `/api/v1/envelopes/${envelope.id}/documents`;
      const upload = (files: Array<{ filename: string; data: Uint8Array }>) => {
        const body = multipart(files.map((f) => ({ name: 'documents', ...f })));
        return h.app.inject({
          method: 'POST',
          url,
          payload: body.payload,
          headers: { ...body.headers, authorization: `Bearer ${h.org.apiKey}` },
        });
      };
      const before = await snapshot(h);
      const bad = await upload([{ filename: 'broken.pdf', data: new TextEncoder().encode('not a pdf') }]);
      assert.equal(bad.statusCode, 422, bad.body);
      assert.equal(bad.json().error.code, 'PDF_INVALID');
      assert.deepEqual(await snapshot(h), before);

      const added = await upload([{ filename: 'annex.pdf', data: pdfB }]);
      assert.equal(added.statusCode, 201, added.body);
      const withTwo: EnvelopeJson = added.json();
      assert.deepEqual(
        withTwo.documents.map((d) => d.name),
        ['keiyaku.pdf', 'annex.pdf'],
      );
      assert.equal(withTwo.documents[1]!.sha256Original, sha256Hex([pdfB]));

      const removed = await h.api(h.org, 'DELETE', `${url}/${withTwo.documents[0]!.id}`);
      assert.equal(removed.statusCode, 200, removed.body);
      assert.deepEqual(
        removed.json().documents.map((d: { name: string }) => d.name),
        ['annex.pdf'],
      );
      const last = await h.api(h.org, 'DELETE', `${url}/${withTwo.documents[1]!.id}`);
      assert.equal(last.statusCode, 400);
      assert.equal(last.json().error.code, 'NO_DOCUMENTS');
      const unknown = await h.api(h.org, 'DELETE', `${url}/00000000-0000-4000-8000-000000000000`);
      assert.equal(unknown.statusCode, 404);
    });

    it('a sent envelope refuses every change with ENVELOPE_NOT_DRAFT', async () => {
      const envelope = await create();
      const sent = await h.api(h.org, 'POST', `/api/v1/envelopes/${envelope.id}/send`);
      assert.equal(sent.statusCode, 200, sent.body);
      const before = await snapshot(h);
      const body = multipart([{ name: 'documents', filename: 'annex.pdf', data: pdfB }]);
      for (const res of [
        await h.api(h.org, 'PATCH', `/api/v1/envelopes/${envelope.id}`, { name: '変更' }),
        await h.app.inject({
          method: 'POST',
          url: `/api/v1/envelopes/${envelope.id}/documents`,
          payload: body.payload,
          headers: { ...body.headers, authorization: `Bearer ${h.org.apiKey}` },
        }),
        await h.api(h.org, 'DELETE', `/api/v1/envelopes/${envelope.id}/documents/${envelope.documents[0]!.id}`),
      ]) {
        assert.equal(res.statusCode, 409, res.body);
        assert.equal(res.json().error.code, 'ENVELOPE_NOT_DRAFT');
      }
      assert.deepEqual(await snapshot(h), before);
    });

    it('access codes: encrypted at rest, shown again only to the sender, logged without the code; signing still checks the hash', async () => {
      const envelope = await create();
      const [a, b] = envelope.recipients;
      const generated = b!.accessCode!;
      assert.match(generated, /^\d{4}$/);
      const rows = await h.context.db
        .selectFrom('recipients')
        .select(['id', 'access_code_sealed', 'access_code_hash'])
        .where('envelope_id', '=', envelope.id)
        .execute();
      for (const row of rows) {
        assert.ok(row.access_code_sealed, 'sealed code stored');
        assert.ok(
          !row.access_code_sealed.includes(CODE_A) &&
            !Buffer.from(row.access_code_sealed, 'base64').toString('latin1').includes(CODE_A),
        );
      }
      // A sealed code moved to another recipient does not open.
      await h.context.db
        .updateTable('recipients')
        .set({ access_code_sealed: rows.find((r) => r.id === a!.id)!.access_code_sealed })
        .where('id', '=', b!.id)
        .execute();
      const moved = await reveal(envelope.id, b!.id);
      assert.equal(moved.statusCode, 500, 'a tampered or moved code never opens');
      await h.context.db
        .updateTable('recipients')
        .set({ access_code_sealed: rows.find((r) => r.id === b!.id)!.access_code_sealed })
        .where('id', '=', b!.id)
        .execute();

      const shown = await reveal(envelope.id, a!.id);
      assert.equal(shown.statusCode, 200, shown.body);
      assert.deepEqual(shown.json(), { recipientId: a!.id, accessCode: CODE_A });
      assert.equal(shown.headers['cache-control'], 'no-store');
      assert.equal((await reveal(envelope.id, b!.id)).json().accessCode, generated);

      // The organisation's administrator is not the sender (the API key is): refused, nothing logged.
      const before = await snapshot(h);
      const admin = await reveal(envelope.id, a!.id, adminHeaders);
      assert.equal(admin.statusCode, 403, admin.body);
      assert.equal(admin.json().error.code, 'ACCESS_CODE_SENDER_ONLY');
      assert.match(admin.json().error.message, /送信者だけ/);
      const other = await h.api(
        h.other,
        'POST',
        `/api/v1/envelopes/${envelope.id}/recipients/${a!.id}/access-code/reveal`,
      );
      assert.equal(other.statusCode, 404);
      assert.deepEqual(await snapshot(h), before);
      const details = await h.api(h.org, 'GET', `/api/v1/envelopes/${envelope.id}`);
      assert.equal(details.json().isSender, true);
      const adminView = await h.app.inject({
        method: 'GET',
        url: `/api/v1/envelopes/${envelope.id}`,
        headers: adminHeaders,
      });
      assert.equal(adminView.json().isSender, false);

      const revealed = (await events(envelope.id)).filter((e) => e.action === 'access_code.revealed');
      assert.equal(revealed.length, 2);
      assert.equal(revealed[0]!.actor.type, 'api_key');
      assert.equal(revealed[0]!.details.recipientId, a!.id);
      assert.ok(!JSON.stringify(revealed).includes(CODE_A) && !JSON.stringify(revealed).includes(generated));
      const raw = await h.context.db
        .selectFrom('events')
        .select('details')
        .where('action', '=', 'access_code.revealed')
        .execute();
      assert.ok(raw.every((r) => !r.details.includes(CODE_A)));

      // A code set anew by ロック解除 is the one shown; the signer passes with it (checked by the hash).
      const unlock = await h.api(h.org, 'POST', `/api/v1/envelopes/${envelope.id}/recipients/${a!.id}/unlock`, {
        accessCode: '4711',
      });
      assert.equal(unlock.statusCode, 200, unlock.body);
      assert.equal((await reveal(envelope.id, a!.id)).json().accessCode, '4711');
      await h.api(h.org, 'POST', `/api/v1/envelopes/${envelope.id}/send`);
      await h.runJobs();
      const mail = (await h.mailsTo('ichiro@example.jp')).at(-1);
      const token = linkIn(mail!.text_body, 's');
      const wrong = await h.app.inject({
        method: 'POST',
        url: `/api/sign/${token}/access-code`,
        payload: { code: CODE_A },
      });
      assert.equal(wrong.statusCode, 401);
      const right = await h.app.inject({
        method: 'POST',
        url: `/api/sign/${token}/access-code`,
        payload: { code: '4711' },
      });
      assert.equal(right.statusCode, 200, right.body);

      // Once the envelope ended, codes are not shown any more.
      await h.api(h.org, 'POST', `/api/v1/envelopes/${envelope.id}/cancel`);
      const ended = await reveal(envelope.id, a!.id);
      assert.equal(ended.statusCode, 409);
      assert.equal(ended.json().error.code, 'ENVELOPE_NOT_ACTIVE');
    });

    it('複製 and 修正して再送: a new draft from the original bytes, same recipients, codes and fields, linked both ways', async () => {
      const envelope = await create();
      const [a] = envelope.recipients;
      await h.api(h.org, 'PUT', `/api/v1/envelopes/${envelope.id}/fields`, {
        fields: [
          {
            documentId: envelope.documents[0]!.id,
            recipientId: a!.id,
            page: 1,
            rect: [380, 100, 440, 160],
            kind: 'seal',
          },
        ],
      });
      await h.api(h.org, 'POST', `/api/v1/envelopes/${envelope.id}/send`);
      const early = await h.api(h.org, 'POST', `/api/v1/envelopes/${envelope.id}/duplicate`, { resubmit: true });
      assert.equal(early.statusCode, 409);
      assert.equal(early.json().error.code, 'ENVELOPE_STILL_ACTIVE');

      const copy = await h.api(h.org, 'POST', `/api/v1/envelopes/${envelope.id}/duplicate`, {});
      assert.equal(copy.statusCode, 201, copy.body);
      assert.equal(copy.json().status, 'draft');

      const canceled = await h.api(h.org, 'POST', `/api/v1/envelopes/${envelope.id}/cancel`);
      assert.equal(canceled.statusCode, 200, canceled.body);
      const res = await h.api(h.org, 'POST', `/api/v1/envelopes/${envelope.id}/duplicate`, { resubmit: true });
      assert.equal(res.statusCode, 201, res.body);
      const again: EnvelopeJson = res.json();
      assert.equal(again.status, 'draft');
      assert.equal(again.sourceEnvelopeId, envelope.id);
      assert.notEqual(again.id, envelope.id);
      // The original, unstamped bytes (the sent one's current file carries the stamp).
      const sentDetails: EnvelopeJson = (await h.api(h.org, 'GET', `/api/v1/envelopes/${envelope.id}`)).json();
      assert.notEqual(sentDetails.documents[0]!.sha256, sentDetails.documents[0]!.sha256Original);
      assert.equal(again.documents[0]!.sha256, sha256Hex([pdfA]));
      const file = await h.api(h.org, 'GET', `/api/v1/envelopes/${again.id}/documents/${again.documents[0]!.id}`);
      assert.equal(sha256Hex([file.rawPayload]), sha256Hex([pdfA]));
      assert.deepEqual(
        again.recipients.map((r) => [r.name, r.email, r.order, r.auth]),
        envelope.recipients.map((r) => [r.name, r.email, r.order, r.auth]),
      );
      assert.equal((await reveal(again.id, again.recipients[0]!.id)).json().accessCode, CODE_A);
      const fields = (await h.api(h.org, 'GET', `/api/v1/envelopes/${again.id}/fields`)).json().items;
      assert.equal(fields.length, 1);
      assert.equal(fields[0].recipientId, again.recipients[0]!.id);
      assert.equal(fields[0].documentId, again.documents[0]!.id);

      const original = await events(envelope.id);
      assert.deepEqual(
        original.filter((e) => e.action === 'envelope.resubmitted').map((e) => e.details.newEnvelopeId),
        [again.id],
      );
      assert.equal(original.filter((e) => e.action === 'envelope.duplicated').length, 1);
      const created = (await events(again.id)).find((e) => e.action === 'envelope.created')!;
      assert.equal(created.details.sourceEnvelopeId, envelope.id);
      assert.equal(created.details.resubmit, true);

      // The new draft can be sent; another organisation cannot duplicate.
      const sent = await h.api(h.org, 'POST', `/api/v1/envelopes/${again.id}/send`);
      assert.equal(sent.statusCode, 200, sent.body);
      const other = await h.api(h.other, 'POST', `/api/v1/envelopes/${envelope.id}/duplicate`, {});
      assert.equal(other.statusCode, 404);
    });
    it("the last signer's done page knows everyone has signed; an earlier signer's does not", async () => {
      const envelope = await create();
      const codes = [CODE_A, envelope.recipients[1]!.accessCode!];
      await h.api(h.org, 'POST', `/api/v1/envelopes/${envelope.id}/send`);
      const seen: boolean[] = [];
      for (const [i, address] of ['ichiro@example.jp', 'jiro@example.jp'].entries()) {
        await h.runJobs();
        const mail = (await h.mailsTo(address)).at(-1)!;
        const token = linkIn(mail.text_body, 's');
        const passed = await h.app.inject({
          method: 'POST',
          url: `/api/sign/${token}/access-code`,
          payload: { code: codes[i] },
        });
        assert.equal(passed.statusCode, 200, passed.body);
        const cookie = `inkan_signer=${passed.cookies.find((c) => c.name === 'inkan_signer')!.value}`;
        const signed = await h.app.inject({
          method: 'POST',
          url: `/api/sign/${token}/sign`,
          headers: { cookie, 'x-csrf-token': passed.json().csrfToken },
        });
        assert.equal(signed.statusCode, 202, signed.body);
        seen.push(signed.json().envelope.allSigned);
        // Reloading the page later says the same.
        const view = await h.app.inject({ method: 'GET', url: `/api/sign/${token}/view`, headers: { cookie } });
        assert.equal(view.json().envelope.allSigned, i === 1);
      }
      assert.deepEqual(seen, [false, true]);
      await h.runJobs();
    });
  });
}
