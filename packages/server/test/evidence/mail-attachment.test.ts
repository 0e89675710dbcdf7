// The certificate travels with the completion mail over real SMTP: the attachment arrives as sent
// (name, type, bytes), and the outbox records its name without keeping the bytes.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { SmtpMailer } from '../../src/adapters/mail/smtp-mailer.ts';
import { OutboxMailer } from '../../src/adapters/mail/outbox-mailer.ts';
import { DIALECTS, openMigratedTestDatabase, type MigratedTestDatabase } from '../helpers/test-database.ts';

async function startSmtpServer() {
  const received: ParsedMail[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    received,
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

for (const dialect of DIALECTS) {
  describe(`mail attachments (${dialect})`, () => {
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

    it('SMTP sends the PDF attachment; the record keeps its name only', async () => {
      const content = new Uint8Array(Buffer.from('%PDF-1.7\n% 契約締結証明書 test bytes\n%%EOF\n', 'utf8'));
      const mailer = new SmtpMailer(database.db, {
        url: `smtp://127.0.0.1:${smtp.port}`,
        from: { name: 'Inkan', address: 'no-reply@example.jp' },
      });
      try {
        await mailer.send({
          to: 'taro@example.jp',
          subject: '電子署名完了のお知らせ',
          text: 'text',
          html: '<p>html</p>',
          idempotencyKey: 'completion:e1:r1',
          attachments: [{ filename: '契約締結証明書_IK-AAAA-BBBB-CCCC.pdf', contentType: 'application/pdf', content }],
        });
      } finally {
        mailer.close();
      }
      assert.equal(smtp.received.length, 1);
      const [attachment] = smtp.received[0].attachments;
      assert.equal(attachment.filename, '契約締結証明書_IK-AAAA-BBBB-CCCC.pdf');
      assert.equal(attachment.contentType, 'application/pdf');
      assert.deepEqual(new Uint8Array(attachment.content), content);
      const row = await database.db
        .selectFrom('mails')
        .selectAll()
        .where('idempotency_key', '=', 'completion:e1:r1')
        .executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(row.attachment_names ?? 'null'), ['契約締結証明書_IK-AAAA-BBBB-CCCC.pdf']);

      // The outbox too; a mail without attachments records null.
      const outbox = new OutboxMailer(database.db, { from: { name: 'Inkan', address: 'no-reply@example.jp' } });
      await outbox.send({ to: 'a@example.jp', subject: 's', text: 't', html: 'h', idempotencyKey: 'plain' });
      assert.equal(
        (
          await database.db
            .selectFrom('mails')
            .select('attachment_names')
            .where('idempotency_key', '=', 'plain')
            .executeTakeFirstOrThrow()
        ).attachment_names,
        null,
      );
    });
  });
}
