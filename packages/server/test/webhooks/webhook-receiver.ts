// A real webhook receiver for the tests (node:http on loopback): records every request with its raw body
// and headers, answers with the statuses the test plans (then 200), and checks signatures with the
// recipe documented in docs/api.md (copied here as a receiver would copy it).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The Node.js recipe of docs/api.md, word for word (with `now` passed in: the tests move the clock). */
export function verifyInkanSignature(
  secret: string,
  header: string,
  rawBody: string,
  now = Date.now() / 1000,
  toleranceSeconds = 300,
): boolean {
  const parts = header.split(',').map((part) => part.split('='));
  const t = Number(parts.find(([key]) => key === 't')?.[1]);
  const signatures = parts.filter(([key]) => key === 'v1').map(([, value]) => value ?? '');
  if (!Number.isInteger(t) || Math.abs(now - t) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  return signatures.some((s) => {
    const given = Buffer.from(s, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** One request as the receiver got it. */
export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: { id: string; type: string; occurredAt: string; organization: { id: string }; data: Record<string, unknown> };
  answered: number;
}

/** A running receiver. */
export interface WebhookReceiver {
  url: string;
  port: number;
  received: ReceivedWebhook[];
  /** Statuses to answer next, per path (then 200). */
  plan: Map<string, number[]>;
  /** Paths that always answer this status. */
  always: Map<string, number>;
  /** Paths whose requests get no answer until release() (a receiver that hangs). */
  hold: Set<string>;
  /** Requests held so far (received, not answered). */
  held(): number;
  /** Answers every held request with 200 and stops holding. */
  release(): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const plan = new Map<string, number[]>();
  const always = new Map<string, number>();
  const hold = new Set<string>();
  const waiting: Array<() => void> = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      const body = Buffer.concat(chunks).toString('utf8');
      if (hold.has(path)) {
        waiting.push(() => {
          received.push({ path, headers: request.headers, body, json: JSON.parse(body), answered: 200 });
          response.writeHead(200).end('ok');
        });
        return;
      }
      const queued = plan.get(path);
      const status = always.get(path) ?? (queued && queued.length > 0 ? queued.shift()! : 200);
      received.push({ path, headers: request.headers, body, json: JSON.parse(body), answered: status });
      response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'try later');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    plan,
    always,
    hold,
    held: () => waiting.length,
    release: () => {
      hold.clear();
      for (const answer of waiting.splice(0)) answer();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
