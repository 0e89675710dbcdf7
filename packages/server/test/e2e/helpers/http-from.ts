/**
 * HTTP(S) requests from a chosen local (source) address, so that a test can be several clients on the
 * loopback network (127.0.0.2, 127.0.0.3 …), with any headers — forged X-Forwarded-For included.
 */
import http from 'node:http';
import https from 'node:https';

/** A finished request. */
export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text(): string;
  json<T = unknown>(): T;
  /** `name=value` pairs of every Set-Cookie, joined for a Cookie header. */
  cookies(): string;
}

/** Options of requestFrom. */
export interface RequestFromOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** The source address of the connection. */
  localAddress?: string;
  /** Trust anchors for https:// (a test's own CA). */
  ca?: string | Buffer;
}

/** Sends one request (no keep-alive) and reads the whole answer; never throws on an HTTP status. */
export function requestFrom(url: string, options: RequestFromOptions = {}): Promise<HttpAnswer> {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      target,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        localAddress: options.localAddress,
        agent: false,
        ...(options.ca ? { ca: options.ca } : {}),
        timeout: 60_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body,
            text: () => body.toString('utf8'),
            json: <T>() => JSON.parse(body.toString('utf8')) as T,
            cookies: () => (response.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; '),
          });
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error(`timeout: ${url}`)));
    request.on('error', reject);
    request.end(options.body);
  });
}
