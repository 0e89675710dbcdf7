// The signer's authentication (link token + signer-session cookie, checked in one statement), on SQLite
// and PostgreSQL: a session opens only its own recipient's link, a malformed or expired cookie is refused
// like a missing one, and what was refused changed nothing. Also the sign answer (sender, documents,
// allSigned) and a double click, now that the sign request reads the envelope only under the write lock.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { linkIn, snapshot, startHarness, type Harness } from './helpers/harness.ts';
import { passSignerCode, signerRequest } from './helpers/signer-session.ts';

for (const dialect of DIALECTS) {
  describe(`signer authentication (${dialect})`, () => {
    let h: Harness;
    let pdf: Uint8Array;
    before(async () => {
      h = await startHarness(dialect);
      pdf = await makePdf({ pages: 1, text: 'Signer authentication' });
    });
    after(async () => {
      await h?.close();
    });

    /** A sent envelope whose two recipients sign in parallel (both links live); their link tokens. */
    async function sentEnvelope(tag: string): Promise<{ id: string; tokens: [string, string] }> {
      const emails = [`a-${tag}@example.jp`, `b-${tag}@example.jp`];
      const created = await h.createEnvelope(
        h.org,
        {
          name: `認証テスト ${tag}`,
          recipients: emails.map((email, i) => ({ name: `署名者 ${i}`, email, accessCode: '2468', order: 1 })),
        },
        [{ filename: 'a.pdf', data: pdf }],
      );
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id as string;
      const sent = await h.api(h.org, 'POST', `/api/v1/envelopes/${id}/send`);
      assert.equal(sent.statusCode, 200, sent.body);
      await h.runJobs();
      const tokens = await Promise.all(emails.map(async (e) => linkIn((await h.mailsTo(e))[0].text_body, 's')));
      return { id, tokens: tokens as [string, string] };
    }

    it("one recipient's session does not open another recipient's link, for viewing or signing", async () => {
      const { tokens } = await sentEnvelope('cross');
      const first = await passSignerCode(h, tokens[0], '2468');
      const before = await snapshot(h);
      for (const [path, method] of [
        ['/view', 'GET'],
        ['/sign', 'POST'],
      ] as const) {
        const res = await signerRequest(h, tokens[1], path, method, first);
        assert.equal(res.statusCode, 401, `${path}: ${res.body}`);
        assert.equal(res.json().error.code, 'UNAUTHENTICATED');
      }
      assert.deepEqual(await snapshot(h), before, 'a refused sign request changes nothing');
      // Its own link opens.
      assert.equal((await signerRequest(h, tokens[0], '/view', 'GET', first)).statusCode, 200);
    });

    it('a malformed or unknown cookie is UNAUTHENTICATED, an unknown link LINK_INVALID', async () => {
      const { tokens } = await sentEnvelope('malformed');
      const session = await passSignerCode(h, tokens[0], '2468');
      const malformed = { cookie: 'inkan_signer=not a token', csrf: session.csrf };
      assert.equal((await signerRequest(h, tokens[0], '/view', 'GET', malformed)).json().error.code, 'UNAUTHENTICATED');
      const unknown = { cookie: `inkan_signer=${'A'.repeat(43)}`, csrf: session.csrf };
      assert.equal((await signerRequest(h, tokens[0], '/view', 'GET', unknown)).json().error.code, 'UNAUTHENTICATED');
      const badLink = await signerRequest(h, 'B'.repeat(43), '/view', 'GET', session);
      assert.equal(badLink.json().error.code, 'LINK_INVALID');
    });

    it('an expired session is refused; a new code opens a new one', async () => {
      const { tokens } = await sentEnvelope('expired');
      const session = await passSignerCode(h, tokens[0], '2468');
      h.clock.advance(h.context.config.sessionTtlMs + 1000);
      const res = await signerRequest(h, tokens[0], '/sign', 'POST', session);
      assert.equal(res.statusCode, 401, res.body);
      assert.equal(res.json().error.code, 'UNAUTHENTICATED');
      const again = await passSignerCode(h, tokens[0], '2468');
      assert.equal((await signerRequest(h, tokens[0], '/sign', 'POST', again)).statusCode, 202);
    });

    it('the sign answer names the sender and documents; a second click returns the same view and queues nothing', async () => {
      const { tokens } = await sentEnvelope('answer');
      const [a, b] = [await passSignerCode(h, tokens[0], '2468'), await passSignerCode(h, tokens[1], '2468')];
      const first = await signerRequest(h, tokens[0], '/sign', 'POST', a);
      assert.equal(first.statusCode, 202, first.body);
      const view = first.json();
      assert.equal(view.envelope.senderOrganization, h.org.name);
      assert.equal(view.envelope.sender.organization, h.org.name);
      assert.equal(view.recipient.status, 'signed');
      assert.equal(view.recipient.canSign, false);
      assert.equal(view.envelope.allSigned, false);
      assert.equal(view.documents.length, 1);
      const jobs = async () =>
        (await h.context.db.selectFrom('jobs').select('id').where('kind', '=', 'envelope.sign').execute()).length;
      const queued = await jobs();
      const second = await signerRequest(h, tokens[0], '/sign', 'POST', a);
      assert.equal(second.statusCode, 202, second.body);
      assert.deepEqual(second.json(), view);
      assert.equal(await jobs(), queued, 'a double click queues nothing');
      const last = await signerRequest(h, tokens[1], '/sign', 'POST', b);
      assert.equal(last.statusCode, 202, last.body);
      assert.equal(last.json().envelope.allSigned, true);
    });
  });
}
