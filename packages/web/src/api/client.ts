// The one place that talks HTTP: JSON in and out, the UI language as Accept-Language, and the
// CSRF token on every non-GET request. Errors become ApiError with the server's stable code.
import { acceptLanguage, type Language } from '../i18n/translate.ts';

/** A failed API call: `code` is the server's stable code, or NETWORK / UNEXPECTED. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let language: Language = 'ja';
// Sender and signer sessions are separate cookies with separate CSRF tokens.
const csrf: { sender: string | null; signer: string | null } = { sender: null, signer: null };

/** Sets the language sent as Accept-Language. */
export function setApiLanguage(value: Language): void {
  language = value;
}

/** Remembers the sender session's CSRF token (from sign-in or GET /api/session). */
export function setSenderCsrfToken(token: string | null): void {
  csrf.sender = token;
}

/** Remembers the signer session's CSRF token (from the access-code response). */
export function setSignerCsrfToken(token: string | null): void {
  csrf.signer = token;
}

/** The headers every request carries. */
export function requestHeaders(method: string, path: string): Record<string, string> {
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': acceptLanguage(language) };
  if (method !== 'GET' && method !== 'HEAD') {
    // POST /api/sign/{token}/login proves identity with the sender session, so it carries that token.
    const signerScope = path.startsWith('/api/sign/') && !/^\/api\/sign\/[^/]+\/login$/.test(path);
    const token = signerScope ? csrf.signer : csrf.sender;
    if (token) headers['x-csrf-token'] = token;
  }
  return headers;
}

/** Turns an error response body into an ApiError. */
export function errorFromResponse(status: number, bodyText: string): ApiError {
  try {
    const parsed = JSON.parse(bodyText) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
    const error = parsed.error;
    if (error && typeof error.code === 'string') {
      const details =
        error.details && typeof error.details === 'object' ? (error.details as Record<string, unknown>) : {};
      return new ApiError(status, error.code, typeof error.message === 'string' ? error.message : error.code, details);
    }
  } catch {
    // Not JSON (a proxy's error page, say): fall through to a generic error.
  }
  if (status === 413) return new ApiError(status, 'PAYLOAD_TOO_LARGE', 'Payload too large');
  if (status === 429) return new ApiError(status, 'RATE_LIMITED', 'Rate limited');
  return new ApiError(status, 'UNEXPECTED', `HTTP ${status}`);
}

/** Calls the API and returns the parsed JSON (undefined for 204). */
export async function apiRequest<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers = requestHeaders(method, path);
  const init: RequestInit = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (cause) {
    throw new ApiError(0, 'NETWORK', cause instanceof Error ? cause.message : 'network error');
  }
  const text = await response.text();
  if (!response.ok) throw errorFromResponse(response.status, text);
  if (response.status === 204 || text === '') return undefined as T;
  return JSON.parse(text) as T;
}

/** POSTs a chosen CSV file as it is (text/csv; the server reads UTF-8 or Shift_JIS) and returns the JSON. */
export async function postCsvFile<T>(path: string, file: File, headers: Record<string, string> = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'POST',
      headers: { ...requestHeaders('POST', path), 'Content-Type': 'text/csv', ...headers },
      body: file,
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (cause) {
    throw new ApiError(0, 'NETWORK', cause instanceof Error ? cause.message : 'network error');
  }
  const text = await response.text();
  if (!response.ok) throw errorFromResponse(response.status, text);
  return JSON.parse(text) as T;
}

/** GET shorthand. */
export function apiGet<T>(path: string): Promise<T> {
  return apiRequest<T>('GET', path);
}

/** POST shorthand. */
export function apiPost<T>(path: string, body?: unknown): Promise<T> {
  return apiRequest<T>('POST', path, body);
}

/** A POST that answers a file (the account export): its bytes and the file name of Content-Disposition. */
export async function apiDownload(path: string): Promise<{ blob: Blob; fileName: string }> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'POST',
      headers: requestHeaders('POST', path),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (cause) {
    throw new ApiError(0, 'NETWORK', cause instanceof Error ? cause.message : 'network error');
  }
  if (!response.ok) throw errorFromResponse(response.status, await response.text());
  const disposition = response.headers.get('content-disposition') ?? '';
  const encoded = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
  const fileName = encoded ? decodeURIComponent(encoded) : (/filename="([^"]+)"/.exec(disposition)?.[1] ?? 'download');
  return { blob: await response.blob(), fileName };
}
