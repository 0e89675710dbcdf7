// メール設定 → 送信テスト through real SMTP servers (smtp-server on loopback): the answer of a server that
// accepts ("250 …" shown to the administrator), the refusal of one that rejects the recipient (its 550
// reply shown), and a server that is not there (the network error shown). The organisation's display
// name and Reply-To reach the wire, and each test is an event in the operation log.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { startHarness, type Harness } from './helpers/harness.ts';
import { asSession, signIn, type TestSession } from './helpers/admin-session.ts';

/** A free loopback port with nothing listening on it (a server bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('send test mail through real SMTP servers', () => {
  const received: ParsedMail[] = [];
  const state = { rejectRecipients: false };
  let smtp: SMTPServer;
  let h: Harness;
  let admin: TestSession;

  before(async () => {
    smtp = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      closeTimeout: 500,
      onRcptTo(address, _session, callback) {
        if (state.rejectRecipients) {
          const error = new Error(
            '5.1.1 <' + address.address + '>: Recipient address rejected: User unknown',
          ) as Error & {
            responseCode: number;
          };
          error.responseCode = 550;
          callback(error);
          return;
        }
        callback();
      },
      onData(stream, _session, callback) {
        simpleParser(stream).then(
          (parsed) => {
            received.push(parsed);
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const { port } = smtp.server.address() as AddressInfo;
    h = await startHarness('sqlite', { env: { INKAN_SMTP_URL: `smtp://127.0.0.1:${port}` } });
    admin = await signIn(h, h.org.admin);
    const set = await asSession(h, admin, 'PATCH', '/api/v1/admin/organization', {
      mailFromName: 'テスト市役所 契約課',
      mailReplyTo: 'keiyaku@example.jp',
    });
    assert.equal(set.statusCode, 200, set.body);
  });
  after(async () => {
    await h?.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('a server that accepts: its 250 answer is shown, the mail carries the organisation’s name and Reply-To', async () => {
    const res = await asSession(h, admin, 'POST', '/api/v1/admin/mail/test', { to: 'check@example.jp' });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { ok: boolean; transport: string; response: string; to: string };
    assert.equal(body.ok, true);
    assert.equal(body.transport, 'smtp');
    assert.match(body.response, /^250\b/);
    const mail = received.at(-1)!;
    assert.equal(mail.subject, `【Inkan】送信テスト（${h.org.name}）`);
    assert.equal(mail.from?.value[0]?.name, 'テスト市役所 契約課');
    assert.equal(mail.replyTo?.value[0]?.address, 'keiyaku@example.jp');
    const [event] = await h.context.db
      .selectFrom('events')
      .select('details')
      .where('action', '=', 'mail.test-sent')
      .orderBy('seq', 'desc')
      .execute();
    assert.equal(JSON.parse(event!.details).ok, true);
  });

  it('without an address it goes to the administrator; a bad address is refused before anything is sent', async () => {
    const count = received.length;
    const bad = await asSession(h, admin, 'POST', '/api/v1/admin/mail/test', { to: 'nobody' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'INVALID_EMAIL');
    assert.equal(received.length, count);
    const own = await asSession(h, admin, 'POST', '/api/v1/admin/mail/test', {});
    assert.equal(own.json().to, h.org.admin.email);
  });

  it('a server that rejects the recipient: its 550 reply is shown and logged', async () => {
    state.rejectRecipients = true;
    try {
      const res = await asSession(h, admin, 'POST', '/api/v1/admin/mail/test', { to: 'gone@example.jp' });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json() as { ok: boolean; error: string };
      assert.equal(body.ok, false);
      assert.match(body.error, /550/);
      assert.match(body.error, /User unknown/);
      const [event] = await h.context.db
        .selectFrom('events')
        .select('details')
        .where('action', '=', 'mail.test-sent')
        .orderBy('seq', 'desc')
        .execute();
      assert.match(JSON.parse(event!.details).error as string, /550/);
    } finally {
      state.rejectRecipients = false;
    }
  });

  it('no server at the address: the connection error is shown', async () => {
    const port = await closedPort();
    const down = await startHarness('sqlite', { env: { INKAN_SMTP_URL: `smtp://127.0.0.1:${port}` } });
    try {
      const s = await signIn(down, down.org.admin);
      const res = await asSession(down, s, 'POST', '/api/v1/admin/mail/test', { to: 'x@example.jp' });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().ok, false);
      assert.match(res.json().error as string, /ECONNREFUSED/);
    } finally {
      await down.close();
    }
  });
});
