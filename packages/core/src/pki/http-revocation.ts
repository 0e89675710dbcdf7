import { randomBytes } from 'node:crypto';
import type { RevocationProvider } from '../revocation.ts';
import { bytesEqual, concat } from '../asn1/bytes.ts';
import { octetString } from '../asn1/der-writer.ts';
import { parseCrl } from '../x509/crl.ts';
import { OID } from '../asn1/oids.ts';
import { createOcspRequest, parseOcspResponse } from './ocsp-messages.ts';
import {
  authorityInfoAccessUris,
  crlDistributionUris,
  fromPem,
  readCertificate,
  verifySignature,
} from './x509-util.ts';

/** Options of HttpRevocationProvider. */
export interface HttpRevocationProviderOptions {
  /** Upper bound for each HTTP exchange, body included. */
  timeoutMs: number;
  /** Replaces globalThis.fetch (tests, proxies). */
  fetchImpl?: typeof fetch;
  /** Largest accepted body; default 1 MiB for OCSP and 20 MiB for CRLs (read no further than that). */
  maxOcspBytes?: number;
  maxCrlBytes?: number;
  /**
   * Upper bound for all the exchanges of this provider together (default 3 × timeoutMs), counted from
   * the first: one verification asks about every certificate of every chain, and responders that
   * accept connections but never answer must not add up to more than this.
   */
  totalTimeoutMs?: number;
}

function httpUris(uris: readonly string[]): string[] {
  return uris.filter((u) => /^https?:\/\//i.test(u));
}

/**
 * Fetches revocation data from the URLs in the certificate: OCSP (POST application/ocsp-request, with
 * a nonce) from the AIA, CRLs (GET) from the CRL distribution points. Returns null when the certificate
 * has no usable URL, or when every attempt fails, times out, or yields data that does not verify
 * against `issuer` (an OCSP response must be signed by the issuer or its delegated responder; a CRL
 * by the issuer). Never throws and never hangs past `timeoutMs` per request.
 */
export class HttpRevocationProvider implements RevocationProvider {
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #maxOcspBytes: number;
  readonly #maxCrlBytes: number;
  readonly #totalTimeoutMs: number;
  #deadline: number | undefined;

  constructor(options: HttpRevocationProviderOptions) {
    this.#timeoutMs = options.timeoutMs;
    this.#fetch = options.fetchImpl ?? globalThis.fetch;
    this.#maxOcspBytes = options.maxOcspBytes ?? 1 << 20;
    this.#maxCrlBytes = options.maxCrlBytes ?? 20 << 20;
    this.#totalTimeoutMs = options.totalTimeoutMs ?? 3 * options.timeoutMs;
  }

  async ocsp(certificate: Uint8Array, issuer: Uint8Array): Promise<Uint8Array | null> {
    try {
      const cert = readCertificate(certificate);
      for (const url of httpUris(authorityInfoAccessUris(cert, OID.accessOcsp))) {
        const nonce = new Uint8Array(randomBytes(16));
        const body = await this.#exchange(url, this.#maxOcspBytes, {
          method: 'POST',
          headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' },
          body: new Uint8Array(createOcspRequest(certificate, issuer, nonce)),
        });
        if (body === null) continue;
        try {
          const response = parseOcspResponse(body);
          if (response.status !== 'successful' || response.statusFor(certificate) === undefined) continue;
          // Responders that cache (most public CAs) do not echo nonces; a different nonce is a replay.
          if (response.nonce !== undefined && !bytesEqual(response.nonce, octetString(nonce))) continue;
          if (!(await response.verify(issuer))) continue;
          return body;
        } catch {
          continue;
        }
      }
    } catch {
      // An unreadable certificate has no usable URL.
    }
    return null;
  }

  async crl(certificate: Uint8Array, issuer: Uint8Array): Promise<Uint8Array | null> {
    try {
      const cert = readCertificate(certificate);
      const ca = readCertificate(issuer);
      for (const url of httpUris(crlDistributionUris(cert))) {
        let body = await this.#exchange(url, this.#maxCrlBytes, {
          method: 'GET',
          headers: { accept: 'application/pkix-crl' },
        });
        if (body === null) continue;
        // Some servers publish PEM although RFC 5280 §4.2.1.13 says DER.
        if (body[0] === 0x2d) body = fromPem(new TextDecoder().decode(body), 'X509 CRL')[0] ?? null;
        if (body !== null && crlSignedBy(body, ca.subjectDer, ca.spki)) return body;
      }
    } catch {
      // As above.
    }
    return null;
  }

  async #exchange(url: string, maxBytes: number, init: RequestInit): Promise<Uint8Array | null> {
    const now = performance.now();
    this.#deadline ??= now + this.#totalTimeoutMs;
    const allowed = Math.min(this.#timeoutMs, this.#deadline - now);
    if (allowed <= 0) return null;
    try {
      // The signal bounds the whole exchange, the body's last byte included (a responder that drips).
      const response = await this.#fetch(url, { ...init, redirect: 'follow', signal: AbortSignal.timeout(allowed) });
      if (!response.ok || response.body === null) {
        await response.body?.cancel();
        return null;
      }
      const declared = Number(response.headers.get('content-length') ?? '0');
      if (declared > maxBytes) {
        await response.body.cancel();
        return null;
      }
      return await readAtMost(response.body, maxBytes);
    } catch {
      return null;
    }
  }
}

/** The whole body, or null (and the stream cancelled) as soon as it is longer than `maxBytes` or empty. */
async function readAtMost(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array | null> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.length;
    if (length > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return length === 0 ? null : concat(chunks);
}

/** True when `crlDer` is a CRL whose issuer is `issuerName` and whose signature verifies with `issuerSpki` (read by the one CRL model, x509/crl.ts). */
export function crlSignedBy(crlDer: Uint8Array, issuerName: Uint8Array, issuerSpki: Uint8Array): boolean {
  try {
    const crl = parseCrl(crlDer);
    if (
      !bytesEqual(crl.issuer.der, issuerName) ||
      !bytesEqual(crl.tbsSignatureAlgorithmRaw, crl.signatureAlgorithm.raw)
    )
      return false;
    return verifySignature(
      crl.tbs,
      crl.signatureAlgorithm.oid,
      crl.signature,
      issuerSpki,
      crl.signatureAlgorithm.parameters,
    );
  } catch {
    return false;
  }
}
