import * as pkijs from 'pkijs';
import { parseDer } from '../asn1/asn1js-bridge.ts';

/**
 * pkijs certificates parsed from DER, kept for the few certificates a process meets again and again (the
 * TSA's certificate and its chain ride in every timestamp token; parsing one through pkijs's schema
 * costs far more than the rest of reading a token). Bounded: the least recently used entry goes first.
 * The objects are shared: callers only read them.
 */
const MAX_ENTRIES = 16;
const cache = new Map<string, pkijs.Certificate>();

/** The pkijs Certificate of `der`, or null when it is not one. */
export function pkijsCertificate(der: Uint8Array): pkijs.Certificate | null {
  const key = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const hit = cache.get(key);
  if (hit !== undefined) {
    // Refresh its place in the (insertion-ordered) map.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const asn1 = parseDer(der);
  if (asn1 === null) return null;
  let certificate: pkijs.Certificate;
  try {
    certificate = new pkijs.Certificate({ schema: asn1 });
  } catch {
    return null;
  }
  cache.set(key, certificate);
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  return certificate;
}
