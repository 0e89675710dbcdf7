/**
 * Network endpoints for the CLI's external-TSA tests: an RFC 3161 TSA that is not ours (`openssl ts
 * -reply` over HTTP, using the CA and config of core's tsa-fixture), a port that accepts and never
 * answers, and a port nobody listens on. Every server listens on 127.0.0.1, port 0.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { opensslReply, type TsaFixture } from '../../../core/test/tsp/tsa-fixture.ts';

/** A running test endpoint. */
export interface TestEndpoint {
  url: string;
  /** How many requests (HTTP) or connections (TCP) it has received. */
  hits(): number;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** An HTTP TSA answering every POST with `openssl ts -reply` signed by the fixture's RSA TSA. */
export async function startOpensslTsa(f: TsaFixture, opensslConfig: string): Promise<TestEndpoint> {
  let hits = 0;
  const server = createHttpServer((req, res) => {
    hits++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      opensslReply(f, opensslConfig, Buffer.concat(chunks)).then(
        (reply) => res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(reply),
        // A 500 makes the client fail over (and the test fail loudly) instead of hanging.
        (error: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(error.message),
      );
    });
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/tsa`,
    hits: () => hits,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A TCP port that accepts connections and never sends a byte (a hung TSA). */
export async function startSilentServer(): Promise<TestEndpoint> {
  const sockets = new Set<Socket>();
  let hits = 0;
  const server = createTcpServer((socket) => {
    hits++;
    sockets.add(socket);
    socket.on('error', () => undefined); // the client aborting is expected
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/tsa`,
    hits: () => hits,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A URL whose port was just freed: connecting is refused. */
export async function refusedUrl(): Promise<string> {
  const server = createTcpServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/tsa`;
}
