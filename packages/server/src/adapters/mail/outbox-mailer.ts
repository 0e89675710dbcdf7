import type { Db } from '../../ports/database.ts';
import type { Mailer, MailServerAnswer, OutgoingMail, TestMail } from '../../ports/mailer.ts';
import { newId } from '../../security/tokens.ts';
import { systemClock, type Clock } from '../../ports/clock.ts';
import { formatMailbox, recordMail } from './mail-record.ts';

/**
 * The local outbox: mail is written to the `mails` table (shown at /dev/mail in development) and
 * goes nowhere else. A second send with the same idempotency key is a no-op.
 */
export class OutboxMailer implements Mailer {
  readonly #from: { name: string; address: string };
  readonly #clock: Clock;

  constructor(
    private readonly db: Db,
    options: { from: { name: string; address: string }; clock?: Clock },
  ) {
    this.#from = options.from;
    this.#clock = options.clock ?? systemClock;
  }

  /** Puts the mail in the outbox unless one with the same idempotency key is there. */
  async send(mail: OutgoingMail): Promise<void> {
    await recordMail(
      this.db,
      mail,
      formatMailbox({ ...this.#from, name: mail.fromName ?? this.#from.name }),
      this.#clock,
    );
  }

  /** Puts the test mail in the outbox (administrators read it at /admin/outbox). */
  async sendTest(mail: TestMail): Promise<MailServerAnswer> {
    await recordMail(
      this.db,
      { ...mail, idempotencyKey: `test:${newId()}` },
      formatMailbox({ ...this.#from, name: mail.fromName ?? this.#from.name }),
      this.#clock,
    );
    return { transport: 'outbox', response: 'stored in the outbox (no SMTP server configured)' };
  }
}
