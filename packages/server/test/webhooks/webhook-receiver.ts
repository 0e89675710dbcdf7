// A real webhook receiver for the tests (node:http on loopback): records every request with its raw body
// and headers, answers with the statuses the test plans (then 200); and the verification recipes of
// docs/api.md (Node.js and openssl), read from the document and run as written.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const API_DOC = readFileSync(fileURLToPath(new URL('../../../../docs/api.md', import.meta.url)), 'utf8');
const WEBHOOK_DOC = API_DOC.slice(API_DOC.indexOf('## Webhooks'));

/** The first fenced block of a language after a marker in the Webhooks section of docs/api.md. */
function docBlock(marker: string, language: string): string {
  const from = WEBHOOK_DOC.indexOf(marker);
  const open = WEBHOOK_DOC.indexOf(`\`\`\`${language}\n`, from);
  assert.ok(from >= 0 && open > from, `docs/api.md: no ${language} block after ${marker}`);
  const start = open + language.length + 4;
  return WEBHOOK_DOC.slice(start, WEBHOOK_DOC.indexOf('```', start));
}

type Verify = (secret: string, header: string, rawBody: string, now?: number, toleranceSeconds?: number) => boolean;

/**
 * The Node.js recipe of docs/api.md, taken from the document itself and run as a receiver would run it
 * (its import line becomes the function's parameters): the test proves what users copy.
 */
export const verifyInkanSignature: Verify = (() => {
  const code = docBlock('Node.js', 'js');
  assert.match(code, /^import \{ createHmac, timingSafeEqual \} from 'node:crypto';$/m);
  const body = code.replace(/^import .*$/m, '');
  const make = new Function('createHmac', 'timingSafeEqual', `${body}\nreturn verifyInkanSignature;`) as (
    hmac: typeof createHmac,
    equal: typeof timingSafeEqual,
  ) => Verify;
  return make(createHmac, timingSafeEqual);
})();

/** The shell recipe of docs/api.md, run with bash in a folder holding body.json: the hex it prints. */
export function opensslSignature(secret: string, t: string, body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'inkan-recipe-'));
  try {
    writeFileSync(join(dir, 'body.json'), body);
    return execFileSync('bash', ['-c', docBlock('Shell', 'sh')], {
      cwd: dir,
      env: { ...process.env, T: t, WEBHOOK_SECRET: secret },
    })
      .toString()
      .trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
