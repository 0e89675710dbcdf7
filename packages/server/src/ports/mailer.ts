/** A mail ready to send (already rendered in the recipient's language). */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Where replies go (the sender of a signing request); the From stays the no-reply address. */
  replyTo?: { name: string; address: string };
  /** The same key is never sent twice (a retried job after a crash). */
  idempotencyKey: string;
  /** Files sent with the mail (the certificate of completion); only their names are recorded. */
  attachments?: MailAttachment[];
}

/** A file attached to a mail. */
export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

/** Sends mail: to the local outbox (development) or over SMTP. */
export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
}
