import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isPrivateAddress } from '../../domain/webhooks/webhook-target.ts';
import type { WebhookRequest, WebhookResponse, WebhookSender } from '../../ports/webhook-sender.ts';

/** How much of a receiver's answer is read (the rest is discarded): the status is what counts. */
const MAX_RESPONSE_BYTES = 64 * 1024;

class TargetRefusedError extends Error {
  readonly code = 'WEBHOOK_TARGET_REFUSED';
}

/**
 * Node's http(s) client with the guards a webhook needs: the host name is resolved by our own lookup,
 * which refuses the connection when ANY address is private/loopback/link-local (unless allowed), and the
 * connection goes to the address that was checked (no second resolution a rebinding DNS could answer
 * differently); redirects are not followed (3xx is a failed attempt); the whole exchange has a deadline
 * and at most 64 KiB of the answer is read.
 */
export class HttpWebhookSender implements WebhookSender {
  readonly #allowPrivate: boolean;
  readonly #timeoutMs: number;
  readonly #http = new HttpAgent({ keepAlive: true, maxSockets: 32 });
  readonly #https = new HttpsAgent({ keepAlive: true, maxSockets: 32 });

  constructor(options: { allowPrivate: boolean; timeoutMs: number }) {
    this.#allowPrivate = options.allowPrivate;
    this.#timeoutMs = options.timeoutMs;
  }

  readonly #lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const refused = !this.#allowPrivate && addresses.some((a) => isPrivateAddress(a.address));
      if (refused || addresses.length === 0)
        return callback(new TargetRefusedError(`${hostname} resolves to a refused address`), '', 0);
      if (options.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };

  post(input: WebhookRequest): Promise<WebhookResponse> {
    return new Promise((resolve) => {
      let url: URL;
      try {
        url = new URL(input.url);
      } catch {
        resolve({ ok: false, statusCode: null, error: 'invalid URL' });
        return;
      }
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (!this.#allowPrivate && isIP(host) !== 0 && isPrivateAddress(host)) {
        resolve({ ok: false, statusCode: null, error: 'WEBHOOK_TARGET_REFUSED: private or loopback address' });
        return;
      }
      const https = url.protocol === 'https:';
      const body = Buffer.from(input.body, 'utf8');
      let settled = false;
      let current: ClientRequest | undefined;
      const finish = (result: WebhookResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const timer = setTimeout(() => {
        current?.destroy(new Error(`no answer within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      // `pooled`: whether a kept-alive connection may be used. A receiver may close an idle connection at the
      // moment we reuse it (its keep-alive timeout): the request then fails with ECONNRESET before any
      // answer, having reached no handler, and is sent again once on a new connection (as Node's
      // documentation of request.reusedSocket advises). The deadline covers both.
      const send = (pooled: boolean): void => {
        const request = (https ? httpsRequest : httpRequest)(
          url,
          {
            method: 'POST',
            agent: pooled ? (https ? this.#https : this.#http) : false,
            lookup: this.#lookup,
            headers: { ...input.headers, 'content-length': String(body.length) },
          },
          (response: IncomingMessage) => {
            const status = response.statusCode ?? 0;
            let read = 0;
            response.on('data', (chunk: Buffer) => {
              read += chunk.length;
              if (read > MAX_RESPONSE_BYTES) response.destroy();
            });
            const done = (): void => {
              const ok = status >= 200 && status < 300;
              const error = ok
                ? null
                : status >= 300 && status < 400
                  ? `HTTP ${status} (redirects are not followed)`
                  : `HTTP ${status}`;
              finish({ ok, statusCode: status, error });
            };
            response.on('end', done);
            response.on('close', done);
            response.on('error', done);
          },
        );
        current = request;
        request.on('error', (error: Error & { code?: string }) => {
          if (pooled && request.reusedSocket && error.code === 'ECONNRESET' && !settled) return send(false);
          const code = typeof error.code === 'string' ? `${error.code}: ` : '';
          finish({ ok: false, statusCode: null, error: `${code}${error.message}`.slice(0, 500) });
        });
        request.end(body);
      };
      send(true);
    });
  }

  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}
