// A tiny HTTP client for the envelope bench: node:http with keep-alive and a chosen local (source)
// address, so that every simulated sender and signer is a client of its own, as on the real network.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

/** A finished request. */
export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** From just before the request was issued to the last byte of the response. */
  ms: number;
}

/** One client: its own source address and its own keep-alive connection(s). */
export class HttpClient {
  readonly #agent: http.Agent;
  readonly #base: URL;
  readonly #localAddress: string;
  readonly #timeoutMs: number;

  constructor(base: string, localAddress: string, options: { timeoutMs?: number } = {}) {
    this.#base = new URL(base);
    this.#localAddress = localAddress;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  }

  /** Sends a request; a body that is an object is sent as JSON. Never throws on an HTTP status. */
  request(
    method: string,
    path: string,
    options: { headers?: Record<string, string>; body?: Buffer | object } = {},
  ): Promise<HttpResponse> {
    const headers: Record<string, string> = { 'user-agent': 'inkan-envelope-bench', ...options.headers };
    let payload: Buffer | undefined;
    if (Buffer.isBuffer(options.body)) payload = options.body;
    else if (options.body !== undefined) {
      payload = Buffer.from(JSON.stringify(options.body));
      headers['content-type'] ??= 'application/json';
    }
    if (payload !== undefined) headers['content-length'] = String(payload.length);
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const req = http.request(
        {
          protocol: this.#base.protocol,
          hostname: this.#base.hostname,
          port: this.#base.port,
          path,
          method,
          headers,
          agent: this.#agent,
          localAddress: this.#localAddress,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
              ms: performance.now() - started,
            }),
          );
          res.on('error', reject);
        },
      );
      // Bounded: a request that hangs is an error, not a stuck bench.
      req.setTimeout(this.#timeoutMs, () =>
        req.destroy(new Error(`${method} ${path}: no answer within ${this.#timeoutMs} ms`)),
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Closes the keep-alive connections. */
  close(): void {
    this.#agent.destroy();
  }
}

/**
 * The n-th client address in 127.0.0.0/8 (every address there is local on Linux): the server's
 * per-IP rate limits then count each simulated person separately, as they would in the field.
 */
export function loopbackAddress(n: number): string {
  const host = n % 250;
  const mid = Math.floor(n / 250) % 250;
  const high = Math.floor(n / 62_500) % 250;
  return `127.${1 + high}.${mid}.${1 + host}`;
}

/** One multipart part. */
export type Part =
  | { name: string; value: string; contentType?: string }
  | { name: string; filename: string; data: Uint8Array; contentType?: string };

/** Builds a multipart/form-data body (as browsers and curl send it). */
export function multipart(parts: readonly Part[]): { body: Buffer; contentType: string } {
  const boundary = `----inkanbench${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if ('filename' in part)
      head += `; filename="${part.filename}"\r\nContent-Type: ${part.contentType ?? 'application/pdf'}`;
    else if (part.contentType) head += `\r\nContent-Type: ${part.contentType}`;
    chunks.push(
      Buffer.from(`${head}\r\n\r\n`, 'utf8'),
      'filename' in part ? Buffer.from(part.data) : Buffer.from(part.value, 'utf8'),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The value of a cookie set by a response (`set-cookie`), or undefined. */
export function cookieFrom(response: HttpResponse, name: string): string | undefined {
  for (const line of response.headers['set-cookie'] ?? []) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}
