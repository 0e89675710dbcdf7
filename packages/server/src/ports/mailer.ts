/** A mail ready to send (already rendered in the recipient's language). */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The same key is never sent twice (a retried job after a crash). */
  idempotencyKey: string;
}

/** Sends mail: to the local outbox (development) or over SMTP. */
export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
}
