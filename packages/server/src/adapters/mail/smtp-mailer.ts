import { createHash } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Db } from '../../ports/database.ts';
import type { Mailer, MailServerAnswer, OutgoingMail, TestMail } from '../../ports/mailer.ts';
import { systemClock, type Clock } from '../../ports/clock.ts';
import { formatMailbox, isMailRecorded, recordMail } from './mail-record.ts';

/** Options of SmtpMailer. */
export interface SmtpMailerOptions {
  /** smtp://user:password@host:port (STARTTLS when offered) or smtps://… (TLS from the start). */
  url: string;
  from: { name: string; address: string };
  clock?: Clock;
  /** Extra nodemailer transport options (tests: a self-signed server's `tls`). */
  transport?: Record<string, unknown>;
}

/**
 * Sends mail over SMTP (text and HTML parts) and records each sent mail in the `mails` table under its
 * idempotency key: a job that retries after a successful send does not send again.
 *
 * The record is written after the server accepted the mail, so a crash in between resends once
 * (at-least-once); holding a database transaction open across the SMTP conversation would block
 * SQLite's single writer. The Message-ID is derived from the idempotency key, so such a rare
 * duplicate carries the same Message-ID and mail clients show it once.
 */
export class SmtpMailer implements Mailer {
  readonly #transporter: Transporter;
  readonly #from: { name: string; address: string };
  readonly #clock: Clock;

  constructor(
    private readonly db: Db,
    options: SmtpMailerOptions,
  ) {
    this.#from = options.from;
    this.#clock = options.clock ?? systemClock;
    this.#transporter = nodemailer.createTransport({ url: options.url, ...options.transport } as Parameters<
      typeof nodemailer.createTransport
    >[0]);
  }

  /** Sends the mail unless one with the same idempotency key was already sent. */
  async send(mail: OutgoingMail): Promise<void> {
    if (await isMailRecorded(this.db, mail.idempotencyKey)) return;
    const domain = this.#from.address.split('@')[1] ?? 'localhost';
    await this.#transporter.sendMail({
      from: { name: mail.fromName ?? this.#from.name, address: this.#from.address },
      to: mail.to,
      ...(mail.replyTo ? { replyTo: { name: mail.replyTo.name, address: mail.replyTo.address } } : {}),
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      attachments: mail.attachments?.map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        content: Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength),
      })),
      messageId: `<${createHash('sha256').update(mail.idempotencyKey).digest('hex').slice(0, 32)}@${domain}>`,
    });
    await recordMail(
      this.db,
      withoutSecrets(mail),
      formatMailbox({ ...this.#from, name: mail.fromName ?? this.#from.name }),
      this.#clock,
    );
  }

  /**
   * Sends a test mail now (no idempotency record) and returns the server's final reply line
   * (`250 …`); a refused connection or a rejection throws an Error whose message carries the server's
   * reply or the network error.
   */
  async sendTest(mail: TestMail): Promise<MailServerAnswer> {
    const info = (await this.#transporter.sendMail({
      from: { name: mail.fromName ?? this.#from.name, address: this.#from.address },
      ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
    })) as { response?: unknown };
    return { transport: 'smtp', response: typeof info.response === 'string' ? info.response : '' };
  }

  /** Closes pooled SMTP connections. */
  close(): void {
    this.#transporter.close();
  }
}

/** The mail as recorded: each secret (a link token) replaced, in the subject, text and HTML. */
export function withoutSecrets(mail: OutgoingMail): OutgoingMail {
  const secrets = (mail.secrets ?? []).filter((s) => s.length > 0);
  if (secrets.length === 0) return mail;
  const hide = (text: string) => secrets.reduce((out, secret) => out.split(secret).join(REDACTED), text);
  return { ...mail, subject: hide(mail.subject), text: hide(mail.text), html: hide(mail.html) };
}

/** What stands for a secret in the sent-mail record. */
export const REDACTED = '[redacted]';
