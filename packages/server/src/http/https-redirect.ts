import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The plain-HTTP listener next to HTTPS: every request is sent to the same path on the public https URL. */
export interface HttpsRedirect {
  address: AddressInfo;
  close(): Promise<void>;
}

/**
 * Listens on `port` and redirects each request to `publicUrl` + its path and query (301 for GET and
 * HEAD, 308 otherwise so that a POST stays a POST). The target host is always the configured public
 * URL's, never the request's Host header, so the redirect cannot be pointed elsewhere.
 */
export async function startHttpsRedirect(options: {
  publicUrl: string;
  port: number;
  host: string;
}): Promise<HttpsRedirect> {
  const base = options.publicUrl.replace(/\/+$/, '');
  const server: Server = createServer((request, response) => {
    const path = request.url?.startsWith('/') && !request.url.startsWith('//') ? request.url : '/';
    const status = request.method === 'GET' || request.method === 'HEAD' ? 301 : 308;
    response.writeHead(status, {
      location: `${base}${path}`,
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'close',
    });
    response.end(request.method === 'HEAD' ? undefined : `HTTPS: ${base}${path}\n`);
    // A body the client still sends is not read: the connection closes with the answer.
    request.resume();
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    address: server.address() as AddressInfo,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
