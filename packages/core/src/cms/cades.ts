/**
 * CAdES detached signatures for PAdES baseline (ETSI EN 319 122-1 / EN 319 142-1): CMS SignedData
 * over a precomputed SHA-256 content digest, with signing-certificate-v2 and CMS algorithm
 * protection as signed attributes and an optional signature timestamp as unsigned attribute.
 */
import { createHash, verify as verifySignature, type KeyObject } from 'node:crypto';
import { parseCertificate } from '../x509/certificate.ts';
import { CoreError, isCoreError } from '../errors.ts';
import type { KeyAlgorithm, Signer } from '../signer.ts';
import type { TimestampAuthority } from '../timestamp-authority.ts';
import { readCertificateFields, type CertificateFields } from './certificate-fields.ts';
import { BER, expectTag, octetStringValue, readDer } from '../asn1/der-reader.ts';
import {
  explicit,
  integer,
  nullValue,
  octetString,
  oid,
  retag,
  sequence,
  setOf,
  TAG,
  x509Time,
} from '../asn1/der-writer.ts';
import { OID } from '../asn1/oids.ts';
import { parseCmsSignature } from './parse.ts';

export interface CadesSignatureOptions {
  readonly signer: Signer;
  /** SHA-256 of the signed bytes (for PDF: the ByteRange). */
  readonly contentDigest: Uint8Array;
  /** When given, a signature timestamp (PAdES B-T) is added as unsigned attribute. */
  readonly timestampAuthority?: TimestampAuthority;
  /** Omitted by default: PAdES baseline says signing-time SHALL NOT be present (the PDF /M carries the claimed time). */
  readonly signingTime?: Date;
  /** Embed the whole `signer.certificateChain` (default) or only the signing certificate. */
  readonly includeChain?: boolean;
  /** Revocation data belongs in the PDF DSS (PAdES), never in the CMS. */
  readonly revocationValues?: never;
}

/**
 * Bytes reserved for a timestamp token by `estimateCadesSize`. A token is TSTInfo (≈ 100–300 bytes)
 * plus the TSA's SignerInfo (≈ 0.9 KB with a 4096-bit key) plus the certificates it embeds
 * (1–2 KB each, typically the TSA certificate and maybe one or two CA certificates): 10 KiB covers
 * a TSA sending three 4096-bit certificates, with room to spare.
 */
export const DEFAULT_TIMESTAMP_TOKEN_ALLOWANCE = 10 * 1024;

/** The largest DER Ecdsa-Sig-Value for P-256: SEQUENCE(2) + 2 × INTEGER(2 + 33 with a leading zero). */
const MAX_P256_SIGNATURE_LENGTH = 72;

interface Algorithms {
  readonly digest: Uint8Array;
  readonly signature: Uint8Array;
}

function algorithmsFor(keyAlgorithm: KeyAlgorithm): Algorithms {
  // RFC 5754: SHA-2 AlgorithmIdentifiers are generated without parameters; RFC 4055: RSA ones carry NULL;
  // RFC 5758: ECDSA ones have none.
  const digest = sequence(oid(OID.sha256));
  switch (keyAlgorithm) {
    case 'RSA':
      return { digest, signature: sequence(oid(OID.sha256WithRsaEncryption), nullValue()) };
    case 'ECDSA-P256':
      return { digest, signature: sequence(oid(OID.ecdsaWithSha256)) };
  }
}

function attribute(type: string, ...values: Uint8Array[]): Uint8Array {
  return sequence(oid(type), setOf(values));
}

interface SignedAttributeInputs {
  readonly contentDigest: Uint8Array;
  readonly certificate: Uint8Array;
  readonly fields: CertificateFields;
  readonly algorithms: Algorithms;
  readonly signingTime?: Date;
}

/** The signed attributes as the DER SET (tag 0x31) that is signed; it goes into SignerInfo retagged [0]. */
function buildSignedAttributes(inputs: SignedAttributeInputs): Uint8Array {
  const certHash = createHash('sha256').update(inputs.certificate).digest();
  // ESSCertIDv2 (RFC 5035): hashAlgorithm left out because SHA-256 is its DEFAULT (DER omits defaults);
  // IssuerSerial names the issuer as a directoryName [4] (EXPLICIT, Name being a CHOICE).
  const issuerSerial = sequence(sequence(explicit(4, inputs.fields.issuer)), inputs.fields.serialNumber);
  const signingCertificateV2 = sequence(sequence(sequence(octetString(certHash), issuerSerial)));
  // CMSAlgorithmProtection (RFC 6211): signatureAlgorithm is [1] IMPLICIT AlgorithmIdentifier.
  const algorithmProtection = sequence(inputs.algorithms.digest, retag(inputs.algorithms.signature, 0xa1));
  const attributes = [
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.messageDigest, octetString(inputs.contentDigest)),
    attribute(OID.signingCertificateV2, signingCertificateV2),
    attribute(OID.cmsAlgorithmProtection, algorithmProtection),
  ];
  if (inputs.signingTime) attributes.push(attribute(OID.signingTime, x509Time(inputs.signingTime)));
  return setOf(attributes);
}

interface AssembleInputs {
  readonly certificates: readonly Uint8Array[];
  readonly fields: CertificateFields;
  readonly algorithms: Algorithms;
  readonly signedAttributes: Uint8Array;
  readonly signature: Uint8Array;
  readonly timestampToken?: Uint8Array;
}

/** ContentInfo(SignedData) around one SignerInfo (RFC 5652 5.1, 5.3). */
function assemble(inputs: AssembleInputs): Uint8Array {
  const signerInfoParts = [
    integer(1), // v1: sid is issuerAndSerialNumber
    sequence(inputs.fields.issuer, inputs.fields.serialNumber),
    inputs.algorithms.digest,
    retag(inputs.signedAttributes, 0xa0),
    inputs.algorithms.signature,
    octetString(inputs.signature),
  ];
  if (inputs.timestampToken)
    signerInfoParts.push(setOf([attribute(OID.signatureTimeStampToken, inputs.timestampToken)], 0xa1));
  const signedData = sequence(
    integer(1), // v1: no attribute certificates, eContentType id-data, v1 SignerInfo
    setOf([inputs.algorithms.digest]),
    sequence(oid(OID.data)), // detached: no eContent
    setOf(inputs.certificates, 0xa0),
    setOf([sequence(...signerInfoParts)]),
  );
  return sequence(oid(OID.signedData), explicit(0, signedData));
}

function leafOf(signer: Signer): Uint8Array {
  const leaf = signer.certificateChain[0];
  if (!leaf) throw new CoreError('SIGNER_FAILED', 'the signer has no certificate');
  return leaf;
}

/** Builds a detached CAdES (PAdES baseline B-B, or B-T with a timestamp authority) CMS; returns its DER. */
export async function createCadesSignature(options: CadesSignatureOptions): Promise<Uint8Array> {
  const { signer, contentDigest } = options;
  if (!(contentDigest instanceof Uint8Array) || contentDigest.length !== 32) {
    throw new CoreError('CMS_INVALID', 'contentDigest must be a 32-byte SHA-256 digest');
  }
  const certificate = leafOf(signer);
  const fields = readCertificateFields(certificate);
  const algorithms = algorithmsFor(signer.keyAlgorithm);
  const signedAttributes = buildSignedAttributes({
    contentDigest,
    certificate,
    fields,
    algorithms,
    signingTime: options.signingTime,
  });

  let signature: Uint8Array;
  try {
    signature = await signer.sign(signedAttributes);
  } catch (error) {
    if (isCoreError(error)) throw error;
    throw new CoreError('SIGNER_FAILED', 'the signer failed to sign', { cause: error });
  }
  // A key that does not belong to the certificate would yield a PDF every validator rejects;
  // catching it here costs one public-key operation.
  checkSignature(certificate, signer.keyAlgorithm, signedAttributes, signature);

  let timestampToken: Uint8Array | undefined;
  if (options.timestampAuthority) {
    // The signature timestamp's imprint is the hash of the signature value's contents (ETSI EN 319 122-1 5.3).
    const imprint = createHash('sha256').update(signature).digest();
    timestampToken = await options.timestampAuthority.timestamp(imprint);
    checkTimestampToken(timestampToken, imprint);
  }

  const certificates = options.includeChain === false ? [certificate] : signer.certificateChain;
  return assemble({ certificates, fields, algorithms, signedAttributes, signature, timestampToken });
}

function checkSignature(
  certificate: Uint8Array,
  keyAlgorithm: KeyAlgorithm,
  data: Uint8Array,
  signature: Uint8Array,
): void {
  let valid = false;
  try {
    const key = certificatePublicKey(certificate);
    const expectedType = keyAlgorithm === 'RSA' ? 'rsa' : 'ec';
    if (key.asymmetricKeyType === expectedType)
      valid = verifySignature('sha256', data, { key, dsaEncoding: 'der' }, signature);
  } catch {
    valid = false;
  }
  if (!valid)
    throw new CoreError(
      'SIGNER_FAILED',
      'the signature does not verify with the signing certificate (key and certificate do not match?)',
    );
}

function checkTimestampToken(token: Uint8Array, imprint: Uint8Array): void {
  try {
    const parsed = parseCmsSignature(token);
    if (parsed.encapsulatedContentTypeOid !== OID.tstInfo || !parsed.encapsulatedContent)
      throw new Error('not a TimeStampToken');
    // TSTInfo ::= SEQUENCE { version, policy, messageImprint SEQUENCE { hashAlgorithm, hashedMessage }, ... }
    const tstInfo = expectTag(readDer(parsed.encapsulatedContent, BER), TAG.sequence, 'TSTInfo').children();
    const hashedMessage = octetStringValue(expectTag(tstInfo[2], TAG.sequence, 'MessageImprint').children()[1]);
    if (Buffer.compare(hashedMessage, imprint) !== 0)
      throw new Error('message imprint differs from the signature hash');
  } catch (error) {
    throw new CoreError(
      'TSA_BAD_RESPONSE',
      `the timestamp token is unusable: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

/**
 * An upper bound of the DER size `createCadesSignature` produces for `signer` (with its whole
 * chain, and room for an optional signing-time), for reserving the PDF /Contents.
 * It assembles the real structure with worst-case placeholders, so it is exact apart from the
 * placeholders: the RSA signature is as long as the modulus, ECDSA P-256 at most 72 bytes, and
 * the timestamp token gets `timestampTokenAllowance` bytes (DEFAULT_TIMESTAMP_TOKEN_ALLOWANCE).
 */
export function estimateCadesSize(
  signer: Signer,
  withTimestamp: boolean,
  timestampTokenAllowance = DEFAULT_TIMESTAMP_TOKEN_ALLOWANCE,
): number {
  const certificate = leafOf(signer);
  const fields = readCertificateFields(certificate);
  const algorithms = algorithmsFor(signer.keyAlgorithm);
  // A date after 2049 encodes as GeneralizedTime, the longer of the two time forms.
  const signedAttributes = buildSignedAttributes({
    contentDigest: new Uint8Array(32),
    certificate,
    fields,
    algorithms,
    signingTime: new Date(Date.UTC(2050, 0, 1)),
  });
  return assemble({
    certificates: signer.certificateChain,
    fields,
    algorithms,
    signedAttributes,
    signature: new Uint8Array(maxSignatureLength(signer, certificate)),
    timestampToken: withTimestamp ? new Uint8Array(timestampTokenAllowance) : undefined,
  }).length;
}

function maxSignatureLength(signer: Signer, certificate: Uint8Array): number {
  if (signer.keyAlgorithm === 'ECDSA-P256') return MAX_P256_SIGNATURE_LENGTH;
  const bits = certificatePublicKey(certificate).asymmetricKeyDetails?.modulusLength;
  if (!bits) throw new CoreError('SIGNER_FAILED', 'cannot read the RSA modulus length of the signing certificate');
  return Math.ceil(bits / 8);
}

/** The public key of a DER certificate (the one certificate model); throws when it cannot be read. */
function certificatePublicKey(certificate: Uint8Array): KeyObject {
  const key = parseCertificate(certificate).publicKey();
  if (!key) throw new CoreError('SIGNER_FAILED', 'the public key of the signing certificate cannot be read');
  return key;
}
