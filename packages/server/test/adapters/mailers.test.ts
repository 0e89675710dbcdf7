import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { OutboxMailer } from '../../src/adapters/mail/outbox-mailer.ts';
import { SmtpMailer } from '../../src/adapters/mail/smtp-mailer.ts';
import type { OutgoingMail } from '../../src/ports/mailer.ts';
import { DIALECTS, openMigratedTestDatabase, TestClock, type MigratedTestDatabase } from '../helpers/test-database.ts';

const FROM = { name: 'Inkan 電子契約', address: 'no-reply@example.jp' };
const SUBJECT = '【デモ市役所 契約課】様より業務委託契約書への署名依頼が届いています';

function mail(idempotencyKey: string, to = 'taro@example.jp'): OutgoingMail {
  return {
    to,
    subject: SUBJECT,
    text: '山田 太郎 様\n\n下記のリンクから署名してください。\nhttp://localhost:3000/sign/abc\n',
    html: '<p>山田 太郎 様</p><p><a href="http://localhost:3000/sign/abc">文書を確認する</a></p>',
    idempotencyKey,
  };
}

/** A real SMTP server on port 0 that parses what it receives; `reject` makes the next DATA fail. */
async function startSmtpServer() {
  const received: Array<{ raw: string; parsed: ParsedMail; user: string | undefined }> = [];
  const state = { rejectNext: false };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (auth.username === 'mailer' && auth.password === 'p@ss word') callback(null, { user: auth.username });
      else callback(new Error('bad credentials'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (state.rejectNext) {
          state.rejectNext = false;
          const error = new Error('try again later') as Error & { responseCode: number };
          error.responseCode = 451;
          callback(error);
          return;
        }
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            received.push({ raw: raw.toString('latin1'), parsed, user: session.user as string | undefined });
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { server, port, received, state, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

for (const dialect of DIALECTS) {
  describe(`mailers on ${dialect}`, () => {
    let database: MigratedTestDatabase;
    let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
    before(async () => {
      database = await openMigratedTestDatabase(dialect);
      smtp = await startSmtpServer();
    });
    after(async () => {
      await smtp?.close();
      await database?.close();
    });

    test('SmtpMailer sends text and HTML with a MIME-encoded Japanese subject, once per idempotency key', async () => {
      const url = `smtp://mailer:${encodeURIComponent('p@ss word')}@127.0.0.1:${smtp.port}`;
      const mailer = new SmtpMailer(database.db, { url, from: FROM, clock: new TestClock() });
      try {
        const before = smtp.received.length;
        await mailer.send(mail('request:r1'));
        await mailer.send(mail('request:r1'));
        assert.equal(smtp.received.length - before, 1, 'the retry with the same key did not send again');
        const { raw, parsed, user } = smtp.received.at(-1)!;
        assert.equal(user, 'mailer', 'authenticated with the URL credentials');
        assert.equal(parsed.subject, SUBJECT);
        // On the wire the header is 7-bit: RFC 2047 encoded words, not raw UTF-8.
        const subjectHeader = /^Subject: (.*(?:\r\n[ \t].*)*)/m.exec(raw)![1];
        assert.match(subjectHeader, /^=\?UTF-8\?[BQ]\?/i);
        assert.ok(/^[\x20-\x7e\r\n\t]*$/.test(subjectHeader));
        assert.equal(parsed.from?.value[0].address, 'no-reply@example.jp');
        assert.equal(parsed.from?.value[0].name, 'Inkan 電子契約');
        assert.equal((parsed.to as { value: Array<{ address: string }> }).value[0].address, 'taro@example.jp');
        assert.equal(parsed.text?.trim(), mail('x').text.trim());
        assert.match(String(parsed.html), /<a href="http:\/\/localhost:3000\/sign\/abc">文書を確認する<\/a>/);
        assert.match(raw, /Content-Type: multipart\/alternative/i);
        const rows = await database.db
          .selectFrom('mails')
          .selectAll()
          .where('idempotency_key', '=', 'request:r1')
          .execute();
        assert.equal(rows.length, 1);
        assert.equal(rows[0].subject, SUBJECT);
        assert.equal(rows[0].from_address, '"Inkan 電子契約" <no-reply@example.jp>');
        assert.equal(rows[0].created_at, '2030-01-01T00:00:00.000Z');

        // Another key is another mail, with another Message-ID; the same key keeps its Message-ID.
        await mailer.send(mail('request:r2', 'hanako@example.jp'));
        assert.equal(smtp.received.length - before, 2);
        assert.notEqual(smtp.received.at(-1)!.parsed.messageId, parsed.messageId);
      } finally {
        mailer.close();
      }
    });

    test('SmtpMailer: secrets (a link token) go out on the wire but not into the sent-mail record', async () => {
      const url = `smtp://mailer:${encodeURIComponent('p@ss word')}@127.0.0.1:${smtp.port}`;
      const mailer = new SmtpMailer(database.db, { url, from: FROM, clock: new TestClock() });
      const token = 'Zq3x9VtYb1kPq0wE7rS2uL5nH8cJ4mD6aF0gT1yU2iO';
      try {
        const secret = { ...mail('request:secret'), secrets: [token] };
        secret.text = secret.text.replace('/sign/abc', `/s/${token}`);
        secret.html = secret.html.replace('/sign/abc', `/s/${token}`);
        await mailer.send(secret);
        const { parsed } = smtp.received.at(-1)!;
        assert.ok(parsed.text?.includes(`/s/${token}`), 'the recipient gets the link');
        assert.ok(String(parsed.html).includes(`/s/${token}`));
        const row = await database.db
          .selectFrom('mails')
          .selectAll()
          .where('idempotency_key', '=', 'request:secret')
          .executeTakeFirstOrThrow();
        assert.ok(!JSON.stringify(row).includes(token), 'the record holds no token');
        assert.ok(row.text_body.includes('/s/[redacted]'));
        assert.ok(row.html_body.includes('/s/[redacted]'));
      } finally {
        mailer.close();
      }
    });

    test('SmtpMailer: a refused mail is not recorded, so the retry sends it', async () => {
      const url = `smtp://mailer:${encodeURIComponent('p@ss word')}@127.0.0.1:${smtp.port}`;
      const mailer = new SmtpMailer(database.db, { url, from: FROM });
      try {
        const before = smtp.received.length;
        smtp.state.rejectNext = true;
        await assert.rejects(mailer.send(mail('completion:e1')), /try again later/);
        assert.equal(
          await database.db
            .selectFrom('mails')
            .select('id')
            .where('idempotency_key', '=', 'completion:e1')
            .executeTakeFirst(),
          undefined,
        );
        await mailer.send(mail('completion:e1'));
        await mailer.send(mail('completion:e1'));
        assert.equal(smtp.received.length - before, 1);
      } finally {
        mailer.close();
      }
    });

    test('SmtpMailer: wrong credentials fail the send', async () => {
      const mailer = new SmtpMailer(database.db, { url: `smtp://mailer:wrong@127.0.0.1:${smtp.port}`, from: FROM });
      try {
        await assert.rejects(mailer.send(mail('auth:1')));
        assert.equal(
          await database.db.selectFrom('mails').select('id').where('idempotency_key', '=', 'auth:1').executeTakeFirst(),
          undefined,
        );
      } finally {
        mailer.close();
      }
    });

    test('OutboxMailer writes the mail to the mails table, once per idempotency key', async () => {
      const mailer = new OutboxMailer(database.db, { from: FROM, clock: new TestClock() });
      await mailer.send(mail('outbox:1'));
      await mailer.send({ ...mail('outbox:1'), subject: 'changed' });
      await mailer.send(mail('outbox:2', 'jiro@example.jp'));
      const rows = await database.db
        .selectFrom('mails')
        .selectAll()
        .where('idempotency_key', 'like', 'outbox:%')
        .orderBy('idempotency_key')
        .execute();
      assert.equal(rows.length, 2);
      assert.equal(rows[0].subject, SUBJECT, 'the first mail stands');
      assert.equal(rows[0].to_address, 'taro@example.jp');
      assert.equal(rows[0].text_body, mail('x').text);
      assert.equal(rows[0].html_body, mail('x').html);
      assert.equal(rows[0].from_address, '"Inkan 電子契約" <no-reply@example.jp>');
      assert.equal(rows[1].to_address, 'jiro@example.jp');
    });
  });
}
