import { CoreError } from '../errors.ts';
import { boolean, integer, nullValue, octetString, oid, sequence } from '../asn1/der-writer.ts';
import { hashAlgorithmOfOid, OID } from '../asn1/oids.ts';

/** Names of the hash algorithms accepted in a TimeStampReq (RFC 3161 §2.4.1). */
export type TimestampHashAlgorithm = 'SHA-256' | 'SHA-384' | 'SHA-512';

/** Imprint hash algorithms the responder accepts, by OID. */
export const IMPRINT_HASH_OIDS: Readonly<Record<TimestampHashAlgorithm, string>> = {
  'SHA-256': OID.sha256,
  'SHA-384': OID.sha384,
  'SHA-512': OID.sha512,
};

/** Options of a TimeStampReq. */
export interface TimestampRequestOptions {
  /** Unsigned big-endian nonce bytes (RFC 3161 recommends one; the HTTP client always sends one). */
  nonce?: Uint8Array;
  /** Ask the TSA to include its certificate (default true: the client checks the TSA certificate). */
  certReq?: boolean;
  hashAlgorithm?: TimestampHashAlgorithm;
  /** Ask for a specific TSA policy. */
  policyOid?: string;
}

/** Builds the DER of a TimeStampReq (RFC 3161 §2.4.1) over an already computed digest. */
export function buildTimestampRequest(digest: Uint8Array, options: TimestampRequestOptions = {}): Uint8Array {
  const hashAlgorithm = options.hashAlgorithm ?? 'SHA-256';
  const hashOid = IMPRINT_HASH_OIDS[hashAlgorithm];
  // A request no TSA would grant fails here already, with the code a TSA's refusal would get.
  if (hashOid === undefined) throw new CoreError('TSA_REJECTED', `unsupported hash algorithm ${hashAlgorithm}`);
  const length = hashAlgorithmOfOid(hashOid)?.length;
  if (digest.length !== length) {
    throw new CoreError('TSA_REJECTED', `a ${hashAlgorithm} digest has ${length} bytes, got ${digest.length}`);
  }
  return sequence(
    integer(1),
    // NULL parameters: what OpenSSL and most TSAs send and accept.
    sequence(sequence(oid(hashOid), nullValue()), octetString(digest)),
    ...(options.policyOid === undefined ? [] : [oid(options.policyOid)]),
    ...(options.nonce === undefined ? [] : [integer(options.nonce)]),
    // certReq is DEFAULT FALSE: DER leaves it out unless true.
    ...((options.certReq ?? true) ? [boolean(true)] : []),
  );
}
