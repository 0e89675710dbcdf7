import { createHmac, timingSafeEqual } from 'node:crypto';

/** The signature header: `t=<unix seconds>,v1=<hex>[,v1=<hex>]` (one v1 per valid secret). */
export const SIGNATURE_HEADER = 'Inkan-Signature';

/** HMAC-SHA256 (hex) of `<timestamp>.<body>` under a secret: what every v1 in the header is. */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/** The Inkan-Signature value for a body, signed with each of the secrets (current first). */
export function signatureHeader(secrets: readonly string[], timestamp: number, body: string): string {
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${webhookSignature(s, timestamp, body)}`)].join(',');
}

/**
 * The documented verification recipe (docs/api.md), as a receiver runs it: parse t and the v1 values,
 * refuse a timestamp older (or newer) than the tolerance, recompute HMAC-SHA256 over `t.body` with the
 * receiver's secret and compare it in constant time with each v1. `body` must be the raw bytes received.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string,
  body: string,
  options: { now?: number; toleranceSeconds?: number } = {},
): boolean {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.split('=', 2);
    if (key === 't' && value !== undefined && /^\d+$/.test(value)) timestamp = Number(value);
    if (key === 'v1' && value !== undefined && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (timestamp === undefined || signatures.length === 0) return false;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(webhookSignature(secret, timestamp, body), 'hex');
  return signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
}
