/**
 * The object identifiers of the core (RFC 5652, 5035, 6211, 3161, 5280, 6960, 5754, 8017, 5758),
 * and what node:crypto calls the algorithms they name.
 */

/**
 * Inkan has no IANA Private Enterprise Number, so its private arc is a UUID OID under
 * 2.25 (ITU-T X.667 / RFC 4122 §4 — unique without registration):
 * UUID 21823c71-1e73-4828-9538-e9427f844608 = 2.25.44540748359294252132535346979429172744.
 * Sub-arcs: .1 = timestamp policies (.1.1 = the built-in TSA's default policy).
 * Operators with their own TSA policy document should configure their own OID instead.
 * Caveat: a 128-bit arc is valid ASN.1 but some parsers cannot read it (Go's encoding/asn1 stops
 * at 31 bits, asn1js prints it as hex). Replace with an IANA PEN arc once one is registered.
 * (1.3.6.1.4.1.57264 is Sigstore's PEN, so it is not ours to use.)
 */
export const INKAN_OID_ARC = '2.25.44540748359294252132535346979429172744';
/** The default TSA policy of the built-in timestamp responder. */
export const INKAN_DEFAULT_TSA_POLICY = `${INKAN_OID_ARC}.1.1`;

export const OID = {
  // Content types (RFC 5652, RFC 3161)
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',

  // CMS signed attributes
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  cmsAlgorithmProtection: '1.2.840.113549.1.9.52',

  // CMS unsigned attributes
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',

  // Digest algorithms
  sha1: '1.3.14.3.2.26',
  sha224: '2.16.840.1.101.3.4.2.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  sha3_256: '2.16.840.1.101.3.4.2.8',
  sha3_384: '2.16.840.1.101.3.4.2.9',
  sha3_512: '2.16.840.1.101.3.4.2.10',

  // Key and signature algorithms
  rsaEncryption: '1.2.840.113549.1.1.1',
  md5WithRsaEncryption: '1.2.840.113549.1.1.4',
  sha1WithRsaEncryption: '1.2.840.113549.1.1.5',
  mgf1: '1.2.840.113549.1.1.8',
  rsassaPss: '1.2.840.113549.1.1.10',
  sha256WithRsaEncryption: '1.2.840.113549.1.1.11',
  sha384WithRsaEncryption: '1.2.840.113549.1.1.12',
  sha512WithRsaEncryption: '1.2.840.113549.1.1.13',
  sha224WithRsaEncryption: '1.2.840.113549.1.1.14',
  ecPublicKey: '1.2.840.10045.2.1',
  prime256v1: '1.2.840.10045.3.1.7',
  ecdsaWithSha1: '1.2.840.10045.4.1',
  ecdsaWithSha224: '1.2.840.10045.4.3.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  ed25519: '1.3.101.112',

  // Name attributes
  commonName: '2.5.4.3',
  organizationName: '2.5.4.10',

  // X.509 extensions (RFC 5280)
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  crlNumber: '2.5.29.20',
  crlReason: '2.5.29.21',
  crlDistributionPoints: '2.5.29.31',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',

  // Access methods and OCSP (RFC 6960)
  accessOcsp: '1.3.6.1.5.5.7.48.1',
  accessCaIssuers: '1.3.6.1.5.5.7.48.2',
  ocspBasic: '1.3.6.1.5.5.7.48.1.1',
  ocspNonce: '1.3.6.1.5.5.7.48.1.2',
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',

  // Extended key usages
  kpEmailProtection: '1.3.6.1.5.5.7.3.4',
  kpTimeStamping: '1.3.6.1.5.5.7.3.8',
  kpOcspSigning: '1.3.6.1.5.5.7.3.9',
  kpDocumentSigning: '1.3.6.1.5.5.7.3.36',
} as const;

/** A digest algorithm node:crypto can compute. */
export interface HashAlgorithm {
  /** node:crypto's name for it. */
  readonly name: string;
  /** Digest length in bytes. */
  readonly length: number;
}

// A Map, not an object: an OID read from input must never hit a prototype property.
const HASHES: ReadonlyMap<string, HashAlgorithm> = new Map([
  [OID.sha1, { name: 'sha1', length: 20 }],
  [OID.sha224, { name: 'sha224', length: 28 }],
  [OID.sha256, { name: 'sha256', length: 32 }],
  [OID.sha384, { name: 'sha384', length: 48 }],
  [OID.sha512, { name: 'sha512', length: 64 }],
  [OID.sha3_256, { name: 'sha3-256', length: 32 }],
  [OID.sha3_384, { name: 'sha3-384', length: 48 }],
  [OID.sha3_512, { name: 'sha3-512', length: 64 }],
]);

/** The digest algorithm an OID names, or undefined when unsupported. */
export function hashAlgorithmOfOid(digestAlgorithmOid: string): HashAlgorithm | undefined {
  return HASHES.get(digestAlgorithmOid);
}

/** The node:crypto hash name of a digest algorithm OID, or undefined when unsupported. */
export function hashNameOfOid(digestAlgorithmOid: string): string | undefined {
  return HASHES.get(digestAlgorithmOid)?.name;
}

/** How a signatureAlgorithm OID is verified with node:crypto. */
export type SignatureScheme =
  | { kind: 'rsa-pkcs1'; hash?: string }
  | { kind: 'ecdsa'; hash?: string }
  | { kind: 'ed25519' }
  | { kind: 'unsupported'; reason: string };

/**
 * Maps a signatureAlgorithm to a scheme. `hash` is set when the OID names one
 * (sha256WithRSAEncryption); bare rsaEncryption / ecPublicKey (as CMS signers may write) leave it
 * to the digestAlgorithm next to it.
 */
export function signatureSchemeOfOid(signatureAlgorithmOid: string): SignatureScheme {
  switch (signatureAlgorithmOid) {
    case OID.rsaEncryption:
      return { kind: 'rsa-pkcs1' };
    case OID.sha1WithRsaEncryption:
      return { kind: 'rsa-pkcs1', hash: 'sha1' };
    case OID.sha224WithRsaEncryption:
      return { kind: 'rsa-pkcs1', hash: 'sha224' };
    case OID.sha256WithRsaEncryption:
      return { kind: 'rsa-pkcs1', hash: 'sha256' };
    case OID.sha384WithRsaEncryption:
      return { kind: 'rsa-pkcs1', hash: 'sha384' };
    case OID.sha512WithRsaEncryption:
      return { kind: 'rsa-pkcs1', hash: 'sha512' };
    case OID.ecPublicKey:
      return { kind: 'ecdsa' };
    case OID.ecdsaWithSha1:
      return { kind: 'ecdsa', hash: 'sha1' };
    case OID.ecdsaWithSha224:
      return { kind: 'ecdsa', hash: 'sha224' };
    case OID.ecdsaWithSha256:
      return { kind: 'ecdsa', hash: 'sha256' };
    case OID.ecdsaWithSha384:
      return { kind: 'ecdsa', hash: 'sha384' };
    case OID.ecdsaWithSha512:
      return { kind: 'ecdsa', hash: 'sha512' };
    case OID.ed25519:
      return { kind: 'ed25519' };
    case OID.rsassaPss:
      return { kind: 'unsupported', reason: 'RSASSA-PSS signatures are not supported' };
    case OID.md5WithRsaEncryption:
      return { kind: 'unsupported', reason: 'MD5 signatures are not accepted' };
    default:
      return { kind: 'unsupported', reason: `unknown signature algorithm ${signatureAlgorithmOid}` };
  }
}
