/** A mail ready to send (already rendered in the recipient's language). */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /**
   * Where replies go: the person who sent the envelope when known, else the organisation's Reply-To
   * (メール設定); the From stays the installation's no-reply address.
   */
  replyTo?: { name: string; address: string };
  /** The same key is never sent twice (a retried job after a crash). */
  idempotencyKey: string;
  /** Files sent with the mail (the certificate of completion); only their names are recorded. */
  attachments?: MailAttachment[];
  /** The sending organisation's display name for From (the address stays the installation's). */
  fromName?: string;
  /**
   * Secret parts of the mail (a signing-link token): sent, but left out of the sent-mail record an SMTP
   * mailer keeps, so the database never holds them. (The outbox keeps them: there the record is the delivery.)
   */
  secrets?: string[];
}

/** A test mail (メール設定 → 送信テスト): sent now, never recorded under an idempotency key. */
export interface TestMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  fromName?: string;
  replyTo?: { name: string; address: string };
}

/** What the mail server answered a test mail: its reply line (SMTP) or where the mail went (outbox). */
export interface MailServerAnswer {
  transport: 'smtp' | 'outbox';
  response: string;
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
  /** Sends a test mail now and returns the server's answer; a refusal throws with the server's reply. */
  sendTest(mail: TestMail): Promise<MailServerAnswer>;
}
