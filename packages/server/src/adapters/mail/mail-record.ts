import type { Db } from '../../ports/database.ts';
import type { OutgoingMail } from '../../ports/mailer.ts';
import type { Clock } from '../../ports/clock.ts';
import { newId } from '../../security/tokens.ts';

/** `"Name" <address>` (or the bare address), as stored in mails.from_address. */
export function formatMailbox(mailbox: { name: string; address: string }): string {
  if (mailbox.name === '') return mailbox.address;
  return `"${mailbox.name.replace(/(["\\])/g, '\\$1')}" <${mailbox.address}>`;
}

/** Whether a mail with this idempotency key was already recorded (sent or put in the outbox). */
export async function isMailRecorded(db: Db, idempotencyKey: string): Promise<boolean> {
  const row = await db
    .selectFrom('mails')
    .select('id')
    .where('idempotency_key', '=', idempotencyKey)
    .executeTakeFirst();
  return row !== undefined;
}

/** Records a mail; returns false (and changes nothing) when its idempotency key is already there. */
export async function recordMail(db: Db, mail: OutgoingMail, from: string, clock: Clock): Promise<boolean> {
  const result = await db
    .insertInto('mails')
    .values({
      id: newId(),
      to_address: mail.to,
      from_address: from,
      subject: mail.subject,
      text_body: mail.text,
      html_body: mail.html,
      created_at: clock.now().toISOString(),
      idempotency_key: mail.idempotencyKey,
      reply_to: mail.replyTo ? formatMailbox(mail.replyTo) : null,
      attachment_names: mail.attachments?.length ? JSON.stringify(mail.attachments.map((a) => a.filename)) : null,
    })
    // The only unique column besides the random id is idempotency_key.
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}
