import { CoreError, isCoreError, type CoreErrorCode } from '../errors.ts';
import type { TimestampAuthority } from '../timestamp-authority.ts';
import { freshNonce } from './nonce.ts';
import { buildTimestampRequest } from './request.ts';
import { validateTimestampResponse } from './validate-response.ts';

/** Configuration of the RFC 3161 HTTP client. */
export interface HttpTimestampAuthorityOptions {
  /** TSA endpoints, tried in this order until one gives a valid token. */
  urls: readonly string[];
  /** Time allowed for each URL's whole exchange, body included (default 10 000 ms). */
  timeoutMs?: number;
  /** A fetch to use instead of the global one (proxies, tests). */
  fetchImpl?: typeof fetch;
  /** Ask every TSA for this policy and insist on it in the token. */
  policyOid?: string;
  /** Responses larger than this are refused (default 1 MiB; a token with a chain is a few KiB). */
  maxResponseBytes?: number;
}

/** One failed URL, for the error message and `details.attempts`. */
export interface TimestampAttemptFailure {
  url: string;
  code: CoreErrorCode;
  reason: string;
}

const SHA256_LENGTH = 32;

/**
 * A TimestampAuthority that asks external TSAs over HTTP (RFC 3161 §3.4), failing over from one
 * URL to the next, and checks every answer before accepting it. It never falls back to local time.
 */
export class HttpTimestampAuthority implements TimestampAuthority {
  readonly #urls: readonly string[];
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #policyOid?: string;
  readonly #maxResponseBytes: number;

  constructor(options: HttpTimestampAuthorityOptions) {
    if (options.urls.length === 0) throw new CoreError('TSA_UNAVAILABLE', 'no TSA URL configured');
    for (const url of options.urls) {
      let protocol: string;
      try {
        protocol = new URL(url).protocol;
      } catch {
        throw new CoreError('TSA_UNAVAILABLE', `not a URL: ${redact(url)}`);
      }
      if (protocol !== 'http:' && protocol !== 'https:')
        throw new CoreError('TSA_UNAVAILABLE', `TSA URL must be http(s): ${redact(url)}`);
    }
    this.#urls = [...options.urls];
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#fetch = options.fetchImpl ?? fetch;
    this.#policyOid = options.policyOid;
    this.#maxResponseBytes = options.maxResponseBytes ?? 1024 * 1024;
  }

  async timestamp(digest: Uint8Array): Promise<Uint8Array> {
    if (digest.length !== SHA256_LENGTH)
      throw new CoreError('TSA_REJECTED', `a SHA-256 digest has 32 bytes, got ${digest.length}`);
    const failures: TimestampAttemptFailure[] = [];
    for (const url of this.#urls) {
      // A fresh nonce per URL: a late answer meant for an earlier attempt cannot be mistaken for this one.
      const nonce = freshNonce();
      const request = buildTimestampRequest(digest, { nonce: nonce.bytes, certReq: true, policyOid: this.#policyOid });
      try {
        const response = await this.#post(url, request);
        return await validateTimestampResponse(response, { digest, nonce: nonce.value, policyOid: this.#policyOid });
      } catch (error) {
        failures.push(this.#describe(url, error));
      }
    }
    const last = failures[failures.length - 1];
    // "Unavailable" unless the last TSA answered and its answer was refused or unusable.
    const code: CoreErrorCode =
      last.code === 'TSA_BAD_RESPONSE' || last.code === 'TSA_REJECTED' ? last.code : 'TSA_UNAVAILABLE';
    const list = failures.map((f) => `${f.url}: ${f.reason}`).join('; ');
    throw new CoreError(code, `no TSA gave a valid timestamp (${list})`, { details: { attempts: failures } });
  }

  async #post(url: string, request: Uint8Array): Promise<Uint8Array> {
    const response = await this.#fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
      body: new Uint8Array(request), // typed as ArrayBuffer-backed, which BodyInit insists on
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      throw new CoreError('TSA_UNAVAILABLE', `HTTP ${response.status}`);
    }
    const contentType = (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (contentType !== 'application/timestamp-reply') {
      await response.body?.cancel().catch(() => undefined);
      throw new CoreError(
        'TSA_BAD_RESPONSE',
        `content-type ${contentType || '(none)'} instead of application/timestamp-reply`,
      );
    }
    return readCapped(response, this.#maxResponseBytes);
  }

  #describe(url: string, error: unknown): TimestampAttemptFailure {
    const shown = redact(url);
    if (isCoreError(error)) return { url: shown, code: error.code, reason: error.message };
    const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    if (err?.name === 'TimeoutError')
      return { url: shown, code: 'TSA_UNAVAILABLE', reason: `no answer within ${this.#timeoutMs} ms` };
    const cause = err?.cause?.code ?? err?.cause?.message;
    return {
      url: shown,
      code: 'TSA_UNAVAILABLE',
      reason: `${err?.message ?? String(error)}${cause ? ` (${cause})` : ''}`,
    };
  }
}

/** Reads a body, refusing to buffer more than `limit` bytes (a broken or hostile server could stream forever). */
async function readCapped(response: Response, limit: number): Promise<Uint8Array> {
  if (response.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw new CoreError('TSA_BAD_RESPONSE', `response larger than ${limit} bytes`);
    }
    chunks.push(value);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** The URL without user info, so credentials never reach logs or error messages. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
