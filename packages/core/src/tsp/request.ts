import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CoreError } from '../errors.ts';
import { toDer, unsignedInteger } from '../asn1/asn1js-bridge.ts';
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
  const oid = IMPRINT_HASH_OIDS[hashAlgorithm];
  // A request no TSA would grant fails here already, with the code a TSA's refusal would get.
  if (oid === undefined) throw new CoreError('TSA_REJECTED', `unsupported hash algorithm ${hashAlgorithm}`);
  const length = hashAlgorithmOfOid(oid)?.length;
  if (digest.length !== length) {
    throw new CoreError('TSA_REJECTED', `a ${hashAlgorithm} digest has ${length} bytes, got ${digest.length}`);
  }
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      // NULL parameters: what OpenSSL and most TSAs send and accept.
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: oid, algorithmParams: new asn1js.Null() }),
      hashedMessage: new asn1js.OctetString({ valueHex: digest }),
    }),
    ...(options.policyOid === undefined ? {} : { reqPolicy: options.policyOid }),
    ...(options.nonce === undefined ? {} : { nonce: unsignedInteger(options.nonce) }),
    // certReq is DEFAULT FALSE: DER leaves it out unless true.
    ...((options.certReq ?? true) ? { certReq: true } : {}),
  });
  return toDer(request.toSchema());
}
