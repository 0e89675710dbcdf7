import { CoreError } from '../errors.ts';
import { authorityKeyIdentifierExtension, extension, type TbsSigner } from './certificate-builder.ts';
import { fromHex } from '../asn1/bytes.ts';
import { bitString, enumerated, explicit, integer, sequence, x509Time } from '../asn1/der-writer.ts';
import { OID } from '../asn1/oids.ts';
import { normaliseSerialHex, readCertificate, signatureAlgorithmIdentifier, subjectKeyIdOf } from './x509-util.ts';

/** CRLReason codes of RFC 5280 §5.3.1 (7 is unused). */
export const CrlReason = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;

/** A CRLReason code. */
export type CrlReasonCode = (typeof CrlReason)[keyof typeof CrlReason];

/** Whether `value` is a valid CRLReason code. */
export function isCrlReasonCode(value: unknown): value is CrlReasonCode {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 10 && value !== 7;
}

/** One revoked certificate on a CRL. */
export interface RevokedEntry {
  serialHex: string;
  revokedAt: Date;
  reason?: number;
}

/** Inputs of a CRL. */
export interface CreateCrlOptions {
  issuerCertificate: Uint8Array;
  /** Signs with the issuer's key (any Signer; the chain is not used). */
  issuerSigner: TbsSigner;
  revoked: readonly RevokedEntry[];
  thisUpdate: Date;
  nextUpdate: Date;
  /** Monotonically increasing CRL number (RFC 5280 §5.2.3). */
  crlNumber: number | bigint;
}

/** Builds and signs an X.509 v2 CRL (RFC 5280) with authorityKeyIdentifier, cRLNumber and per-entry reason codes; returns DER. */
export async function createCrl(options: CreateCrlOptions): Promise<Uint8Array> {
  const issuer = readCertificate(options.issuerCertificate);
  const algorithm = signatureAlgorithmIdentifier(options.issuerSigner.keyAlgorithm);
  const entries = options.revoked.map((entry) => {
    const parts = [integer(fromHex(normaliseSerialHex(entry.serialHex))), x509Time(entry.revokedAt)];
    // RFC 5280 §5.3.1: the reason code "unspecified" SHOULD be left out rather than encoded.
    if (entry.reason !== undefined && entry.reason !== CrlReason.unspecified) {
      if (!isCrlReasonCode(entry.reason)) throw new CoreError('PKI_INVALID', `bad CRL reason code ${entry.reason}`);
      parts.push(sequence(extension(OID.crlReason, false, enumerated(entry.reason))));
    }
    return sequence(...parts);
  });
  const tbs = sequence(
    integer(1), // v2
    algorithm,
    issuer.subjectDer,
    x509Time(options.thisUpdate),
    x509Time(options.nextUpdate),
    ...(entries.length > 0 ? [sequence(...entries)] : []),
    explicit(
      0,
      sequence(
        authorityKeyIdentifierExtension(subjectKeyIdOf(issuer)),
        extension(OID.crlNumber, false, integer(options.crlNumber)),
      ),
    ),
  );
  let signature: Uint8Array;
  try {
    signature = await options.issuerSigner.sign(tbs);
  } catch (cause) {
    throw new CoreError('SIGNER_FAILED', 'the issuer key could not sign the CRL', { cause });
  }
  return sequence(tbs, algorithm, bitString(signature));
}
