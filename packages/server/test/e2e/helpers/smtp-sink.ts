/**
 * A real SMTP server for end-to-end tests (smtp-server on 127.0.0.1, port 0, no TLS, auth optional):
 * every accepted message is parsed with mailparser and kept. A test may hold back the acceptance of
 * chosen messages (the server has read the whole message but has not answered "250 OK" yet), to
 * freeze a sender in the middle of its SMTP conversation.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A message the server accepted (or holds), parsed. */
export interface ReceivedMail {
  /** RCPT TO addresses of the SMTP envelope. */
  to: string[];
  subject: string;
  from: { name: string; address: string };
  text: string;
  html: string;
  messageId: string;
  parsed: ParsedMail;
}

/** Decides whether a message is held instead of accepted. */
export type HoldPredicate = (mail: ReceivedMail) => boolean;

/** A running sink. */
export interface SmtpSink {
  port: number;
  /** Messages accepted so far, in order of acceptance. */
  readonly messages: readonly ReceivedMail[];
  /** Messages read completely but not answered (held), in order of arrival. */
  readonly held: readonly ReceivedMail[];
  /** From now on, messages matching the predicate are held (null: accept everything). */
  holdWhen(predicate: HoldPredicate | null): void;
  /** Answers every held message with a temporary failure (the client may be gone already). */
  releaseHeldWithFailure(): void;
  /** Accepted messages to an address. */
  to(address: string): ReceivedMail[];
  close(): Promise<void>;
}

/** Starts the sink on 127.0.0.1 and an ephemeral port. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const held: Array<{ mail: ReceivedMail; answer: (error?: Error) => void }> = [];
  let hold: HoldPredicate | null = null;

  const server = new SMTPServer({
    // Plain SMTP on loopback: without this nodemailer would upgrade to the sink's self-signed TLS.
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    // close() must not wait the default 30 s for a client that keeps its connection open.
    closeTimeout: 500,
    onAuth(_auth, _session, callback) {
      callback(null, { user: 'test' });
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          const from = parsed.from?.value[0];
          const mail: ReceivedMail = {
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            subject: parsed.subject ?? '',
            from: { name: from?.name ?? '', address: from?.address ?? '' },
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            messageId: parsed.messageId ?? '',
            parsed,
          };
          if (hold?.(mail)) {
            held.push({ mail, answer: (error) => callback(error ?? null) });
            return;
          }
          messages.push(mail);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  server.on('error', () => undefined); // a client killed mid-conversation is expected in the crash test
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;

  return {
    port,
    messages,
    get held() {
      return held.map((h) => h.mail);
    },
    holdWhen(predicate) {
      hold = predicate;
    },
    releaseHeldWithFailure() {
      for (const h of held.splice(0)) {
        const error = Object.assign(new Error('held by the test, not delivered'), { responseCode: 451 });
        try {
          h.answer(error);
        } catch {
          // The connection died with its client.
        }
      }
    },
    to: (address) => messages.filter((m) => m.to.includes(address.toLowerCase())),
    close: () =>
      new Promise<void>((resolve) => {
        for (const h of held.splice(0)) {
          try {
            h.answer(new Error('closing'));
          } catch {
            // ignore
          }
        }
        server.close(() => resolve());
      }),
  };
}

/** Every distinct http(s) URL in a text. */
export function urlsIn(text: string): string[] {
  return [...new Set([...text.matchAll(/https?:\/\/[^\s"'<>]+/g)].map((m) => m[0]))];
}
