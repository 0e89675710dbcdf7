// A live OCSP responder and CRL server for tests, on loopback (port 0): OCSP answers come from
// `openssl ocsp` run on each request against an OpensslCa's index (so a revocation recorded in the CA
// shows in the next answer), CRLs from `openssl ca -gencrl`. Misbehaviours on demand: never answer,
// drip the body, answer with more bytes than any client should read (declared or chunked).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import type { OpensslCa } from './openssl-ca.ts';

/** How the server behaves. */
export type RevocationServerMode = 'normal' | 'hang' | 'drip' | 'huge-declared' | 'huge-chunked';

/** What the server saw of one request. */
export interface SeenRequest {
  method: string;
  path: string;
  /** Bytes the server managed to write before the client went away (for the misbehaving modes). */
  bytesWritten: number;
}

/** A running responder; `base` is its URL (http://127.0.0.1:PORT). */
export interface RevocationServer {
  readonly base: string;
  readonly ocspUrl: string;
  readonly crlUrl: string;
  mode: RevocationServerMode;
  readonly seen: SeenRequest[];
  /** Closes the listening socket and every connection; later requests are refused. */
  close(): Promise<void>;
}

/** Extension lines that point a certificate's AIA (OCSP) and CRL distribution point at `server`. */
export function revocationUrls(server: RevocationServer): string[] {
  return [`authorityInfoAccess=OCSP;URI:${server.ocspUrl}`, `crlDistributionPoints=URI:${server.crlUrl}`];
}

/** What the misbehaving modes would send in all (64 MiB). */
export const HUGE_BYTES = 64 * 1024 * 1024;

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Starts a responder for the certificates `ca` issued. */
export async function startRevocationServer(ca: OpensslCa): Promise<RevocationServer> {
  const seen: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  let counter = 0;
  const state: { mode: RevocationServerMode } = { mode: 'normal' };

  const answerOcsp = (body: Buffer): Buffer => {
    const id = ++counter;
    const requestPath = join(ca.dir, `live-${id}.ocsp-req`);
    const responsePath = join(ca.dir, `live-${id}.ocsp-resp`);
    writeFileSync(requestPath, body);
    execFileSync(
      'openssl',
      [
        'ocsp',
        '-index',
        'index.txt',
        '-CA',
        ca.certificate.pemPath,
        '-rsigner',
        ca.certificate.pemPath,
        '-rkey',
        ca.certificate.keyPath,
        '-reqin',
        requestPath,
        '-respout',
        responsePath,
        '-ndays',
        '2',
      ],
      { cwd: ca.dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return readFileSync(responsePath);
  };

  const server: Server = createServer((request, response) => {
    void (async () => {
      // Counted when the request arrives, before its body is read: a client that gives up meanwhile still asked.
      const entry: SeenRequest = { method: request.method ?? '', path: request.url ?? '', bytesWritten: 0 };
      seen.push(entry);
      const body = await readBody(request);
      const mode = state.mode;
      if (mode === 'hang') return; // accepts, reads, never answers
      if (mode === 'huge-declared' || mode === 'huge-chunked' || mode === 'drip') {
        response.writeHead(200, {
          'content-type': 'application/octet-stream',
          ...(mode === 'huge-declared' ? { 'content-length': String(HUGE_BYTES) } : {}),
        });
        const chunk = Buffer.alloc(mode === 'drip' ? 1 : 64 * 1024, 0x30);
        let closed = false;
        response.once('close', () => (closed = true));
        // Write until the client goes away (or everything is out); each write waits for the socket to drain.
        while (entry.bytesWritten < HUGE_BYTES && !closed) {
          const more = response.write(chunk);
          entry.bytesWritten += chunk.length;
          if (mode === 'drip') await new Promise((resolve) => setTimeout(resolve, 50));
          else if (!more)
            await new Promise<void>((resolve) => {
              const done = (): void => {
                response.off('drain', done).off('close', done);
                resolve();
              };
              response.on('drain', done).on('close', done);
            });
        }
        response.end();
        return;
      }
      if (request.method === 'POST' && request.url === '/ocsp') {
        response.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(answerOcsp(body));
      } else if (request.method === 'GET' && request.url === '/ca.crl') {
        const now = Date.now();
        const crl = ca.crl(new Date(now - 3600_000), new Date(now + 7 * 24 * 3600_000));
        response.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(crl);
      } else {
        response.writeHead(404).end();
      }
    })().catch(() => response.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    ocspUrl: `${base}/ocsp`,
    crlUrl: `${base}/ca.crl`,
    get mode() {
      return state.mode;
    },
    set mode(mode: RevocationServerMode) {
      state.mode = mode;
    },
    seen,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
