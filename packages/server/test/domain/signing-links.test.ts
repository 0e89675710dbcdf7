/**
 * Signing links nothing stored can re-derive (issue 11), on SQLite and PostgreSQL, through the HTTP API:
 * every mail to a signer (request, リマインド, resend) carries a fresh random token and only its SHA-256
 * is stored; a reminder's new link and the request's old one both work; at most
 * SIGNING_LINKS_PER_RECIPIENT links live at once (the oldest stops working); a resend revokes every
 * earlier link; a dump of the database holds no usable link (mail goes out over real SMTP, and the
 * sent-mail record leaves the token out). Migration 023 keeps a link mailed by the previous version
 * (HMAC of a stored nonce) working and drops the nonces.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Migrator, sql } from 'kysely';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { migrations } from '../../src/adapters/db/migrate.ts';
import { SIGNING_LINKS_PER_RECIPIENT } from '../../src/domain/signing-links.ts';
import { deriveKey, readMasterKey } from '../../src/security/server-keys.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { passSignerCode, signerRequest } from '../api/helpers/signer-session.ts';
import { linkIn, snapshot, startHarness, type Harness } from '../api/helpers/harness.ts';
import { startSmtpSink, type SmtpSink } from '../e2e/helpers/smtp-sink.ts';

const HOUR = 3_600_000;

for (const dialect of DIALECTS) {
  describe(`signing links (${dialect})`, () => {
    let h: Harness;
    let sink: SmtpSink;
    let pdf: Uint8Array;
    before(async () => {
      sink = await startSmtpSink();
      h = await startHarness(dialect, { env: { INKAN_SMTP_URL: `smtp://127.0.0.1:${sink.port}` } });
      pdf = await makePdf({ pages: 1, text: 'Signing links' });
    });
    after(async () => {
      await h?.close();
      await sink?.close();
    });

    const suffix = () => Math.random().toString(36).slice(2, 8);
    const state = async (token: string) => {
      const res = await signerRequest(h, token, '', 'GET');
      return res.statusCode === 200 ? 'works' : `${res.statusCode} ${res.json().error.code}`;
    };
    /** The links of the mails the SMTP server received for an address, oldest first. */
    const links = async (address: string) => sink.to(address).map((m) => linkIn(m.text, 's'));

    async function sentEnvelope(address: string): Promise<{ envelopeId: string; recipientId: string }> {
      const res = await h.createEnvelope(
        h.org,
        { name: 'リンクの契約', recipients: [{ name: '署名 花子', email: address, accessCode: '2468', order: 1 }] },
        [{ filename: '契約書.pdf', data: pdf }],
      );
      assert.equal(res.statusCode, 201, res.body);
      const envelope = res.json();
      assert.equal((await h.api(h.org, 'POST', `/api/v1/envelopes/${envelope.id}/send`)).statusCode, 200);
      await h.runJobs();
      return { envelopeId: envelope.id, recipientId: envelope.recipients[0].id };
    }
    async function remind(envelopeId: string, recipientId: string): Promise<void> {
      h.clock.advance(2 * HOUR);
      const res = await h.api(h.org, 'POST', `/api/v1/envelopes/${envelopeId}/recipients/${recipientId}/remind`);
      assert.equal(res.statusCode, 200, res.body);
      await h.runJobs();
    }

    it('a reminder mails a new link; both work with the code; the database holds no usable link', async () => {
      const address = `links-${suffix()}@example.jp`;
      const { envelopeId, recipientId } = await sentEnvelope(address);
      await remind(envelopeId, recipientId);
      const [first, second] = await links(address);
      assert.ok(first && second);
      assert.notEqual(first, second, 'each mail its own token');
      assert.ok(Buffer.from(second, 'base64url').length >= 16, 'at least 128 bits');
      for (const token of [first, second]) {
        const session = await passSignerCode(h, token, '2468');
        const view = await signerRequest(h, token, '/view', 'GET', session);
        assert.equal(view.statusCode, 200, view.body);
        assert.equal(view.json().recipient.canSign, true);
      }

      // Only the SHA-256 of each token is stored, and no column of any table holds a token or a nonce.
      const stored = await h.context.db
        .selectFrom('signing_links')
        .select('token_hash')
        .where('recipient_id', '=', recipientId)
        .execute();
      const sha = (t: string) => createHash('sha256').update(t).digest('hex');
      assert.deepEqual(stored.map((s) => s.token_hash).sort(), [sha(first), sha(second)].sort());
      const dump = JSON.stringify((await snapshot(h)).tables);
      assert.ok(dump.includes(sha(first)), 'the dump covers the link table');
      assert.ok(dump.includes('/s/[redacted]'), 'the dump covers the sent-mail record');
      assert.ok(!dump.includes(first) && !dump.includes(second), 'no token in the dump');
      const recipientRow = await h.context.db
        .selectFrom('recipients')
        .selectAll()
        .where('id', '=', recipientId)
        .executeTakeFirstOrThrow();
      assert.equal(recipientRow.link_token_hash, null);
      assert.ok(!('link_nonce' in recipientRow), 'no nonce to derive a link from');
      // The stored hashes, and whatever in the dump has a token's shape (43 base64url characters), open nothing.
      const shaped = [...new Set(dump.match(/(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g) ?? [])];
      for (const candidate of [...stored.map((s) => s.token_hash), ...shaped.slice(0, 50)])
        assert.equal(await state(candidate), '404 LINK_INVALID', candidate);
    });

    it(`at most ${SIGNING_LINKS_PER_RECIPIENT} links live at once (the oldest stops); a resend revokes them all`, async () => {
      const address = `bounded-${suffix()}@example.jp`;
      const { envelopeId, recipientId } = await sentEnvelope(address);
      for (let i = 0; i < SIGNING_LINKS_PER_RECIPIENT; i++) await remind(envelopeId, recipientId);
      const mailed = await links(address);
      assert.equal(mailed.length, SIGNING_LINKS_PER_RECIPIENT + 1);
      assert.equal(new Set(mailed).size, mailed.length);
      assert.equal(await state(mailed[0]!), '404 LINK_INVALID', 'the oldest was dropped');
      for (const token of mailed.slice(1)) assert.equal(await state(token), 'works');
      const count = await h.context.db
        .selectFrom('signing_links')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('recipient_id', '=', recipientId)
        .executeTakeFirstOrThrow();
      assert.equal(Number(count.n), SIGNING_LINKS_PER_RECIPIENT);

      // 再送 (resend): a new link; every earlier one stops working.
      const resent = await h.api(h.org, 'POST', `/api/v1/envelopes/${envelopeId}/recipients/${recipientId}/resend`);
      assert.equal(resent.statusCode, 200, resent.body);
      await h.runJobs();
      const after = await links(address);
      assert.equal(after.length, mailed.length + 1);
      const newest = after[after.length - 1]!;
      assert.equal(await state(newest), 'works');
      for (const token of mailed) assert.equal(await state(token), '404 LINK_INVALID');
      await passSignerCode(h, newest, '2468');
    });

    it('over SMTP the download, Inkanで保管, 届出 and password-reset links go out, and the sent-mail record holds none', async () => {
      const address = `done-${suffix()}@example.jp`;
      await sentEnvelope(address);
      const [token] = await links(address);
      const session = await passSignerCode(h, token!, '2468');
      const signed = await signerRequest(h, token!, '/sign', 'POST', session);
      assert.equal(signed.statusCode, 202, signed.body);
      await h.runJobs();
      const contactEmail = `contact-${suffix()}@example.jp`;
      const contact = await h.api(h.org, 'POST', '/api/v1/address-book/contacts', {
        companyName: '株式会社リンク',
        personName: '連絡 太郎',
        email: contactEmail,
      });
      assert.equal(contact.statusCode, 201, contact.body);
      const requested = await h.api(
        h.org,
        'POST',
        `/api/v1/address-book/contacts/${contact.json().id}/registration-requests`,
        {},
      );
      assert.equal(requested.statusCode, 202, requested.body);
      const reset = await h.app.inject({
        method: 'POST',
        url: '/api/account/password/forgot',
        payload: { email: h.org.admin.email },
      });
      assert.equal(reset.statusCode, 202, reset.body);
      await h.runJobs();

      const tokens = [
        ...sink
          .to(address)
          .flatMap((m) => [...m.text.matchAll(/\/(?:d|claim)\/([A-Za-z0-9_-]{43})/g)].map((x) => x[1]!)),
        ...sink
          .to(contactEmail)
          .flatMap((m) => [...m.text.matchAll(/\/signer-registration\/([A-Za-z0-9_-]{43})/g)].map((x) => x[1]!)),
        ...sink
          .to(h.org.admin.email)
          .flatMap((m) => [...m.text.matchAll(/\/password\/reset\?token=([A-Za-z0-9_-]{43})/g)].map((x) => x[1]!)),
      ];
      assert.equal(tokens.length, 4, `download, claim, 届出, reset: ${tokens.join(' ')}`);
      const recorded = JSON.stringify(await h.context.db.selectFrom('mails').selectAll().execute());
      for (const t of tokens) assert.ok(!recorded.includes(t), 'a link token in the sent-mail record');
      assert.ok(recorded.includes('/d/[redacted]') && recorded.includes('/signer-registration/[redacted]'));
    });

    it('migration 023: a link mailed by the previous version (HMAC of a stored nonce) keeps working; the nonce goes', async () => {
      const address = `upgrade-${suffix()}@example.jp`;
      const { recipientId } = await sentEnvelope(address);
      const [current] = await links(address);
      const migrator = new Migrator({
        db: h.context.db,
        provider: { getMigrations: async () => migrations(h.context.dialect) },
      });
      // Back to the schema before 023 (later migrations are undone first).
      const down = await migrator.migrateTo('022-approvals');
      assert.equal(down.error, undefined, String(down.error));
      assert.equal(down.results?.at(-1)?.migrationName, '023-signing-links');
      // As the previous version mailed it: the token is HMAC(server key, nonce); the row keeps nonce and hash.
      const nonce = randomBytes(32).toString('base64url');
      const key = deriveKey(await readMasterKey(h.context.config), 'signing-link-token');
      const oldToken = createHmac('sha256', key).update(`signing-link:${nonce}`, 'utf8').digest('base64url');
      const oldHash = createHash('sha256').update(oldToken).digest('hex');
      await sql`update recipients set link_nonce = ${nonce}, link_token_hash = ${oldHash} where id = ${recipientId}`.execute(
        h.context.db,
      );
      const up = await migrator.migrateToLatest();
      assert.equal(up.error, undefined, String(up.error));
      assert.equal(await state(oldToken), 'works', 'the link in the inbox still opens');
      await passSignerCode(h, oldToken, '2468');
      assert.equal(await state(current!), '404 LINK_INVALID', 'the old-version row names only the link set above');
      const columns = (await h.context.db.introspection.getTables()).find((t) => t.name === 'recipients')!.columns;
      assert.ok(!columns.some((c) => c.name === 'link_nonce'), 'nonces dropped');
      const nulls = await sql<{
        n: number;
      }>`select count(*) as n from recipients where link_token_hash is not null`.execute(h.context.db);
      assert.equal(Number(nulls.rows[0]!.n), 0);
    });
  });
}
