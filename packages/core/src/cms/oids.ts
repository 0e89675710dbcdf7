/** Object identifiers used by the CMS code (RFC 5652, RFC 5035, RFC 6211, RFC 3161, RFC 5754, RFC 8017, RFC 5758). */
export const OID = {
  // Content types (RFC 5652, RFC 3161)
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',

  // Signed attributes
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  cmsAlgorithmProtection: '1.2.840.113549.1.9.52',

  // Unsigned attributes
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

  // Signature algorithms
  rsaEncryption: '1.2.840.113549.1.1.1',
  md5WithRsaEncryption: '1.2.840.113549.1.1.4',
  sha1WithRsaEncryption: '1.2.840.113549.1.1.5',
  rsassaPss: '1.2.840.113549.1.1.10',
  sha256WithRsaEncryption: '1.2.840.113549.1.1.11',
  sha384WithRsaEncryption: '1.2.840.113549.1.1.12',
  sha512WithRsaEncryption: '1.2.840.113549.1.1.13',
  sha224WithRsaEncryption: '1.2.840.113549.1.1.14',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha1: '1.2.840.10045.4.1',
  ecdsaWithSha224: '1.2.840.10045.4.3.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  ed25519: '1.3.101.112',

  // X.509 extensions
  subjectKeyIdentifier: '2.5.29.14',
} as const;

/** Node.js hash names of the digest algorithms we can compute. */
const HASH_NAMES: Readonly<Record<string, string>> = {
  [OID.sha1]: 'sha1',
  [OID.sha224]: 'sha224',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
  [OID.sha3_256]: 'sha3-256',
  [OID.sha3_384]: 'sha3-384',
  [OID.sha3_512]: 'sha3-512',
};

/** The node:crypto hash name of a digest algorithm OID, or undefined when unsupported. */
export function hashNameOfOid(digestAlgorithmOid: string): string | undefined {
  return HASH_NAMES[digestAlgorithmOid];
}

/** How a CMS signatureAlgorithm OID is verified with node:crypto. */
export type SignatureScheme =
  | { kind: 'rsa-pkcs1'; hash?: string }
  | { kind: 'ecdsa'; hash?: string }
  | { kind: 'ed25519' }
  | { kind: 'unsupported'; reason: string };

/**
 * Maps a SignerInfo signatureAlgorithm to a scheme. `hash` is set when the OID names one
 * (sha256WithRSAEncryption); bare rsaEncryption / ecPublicKey take the SignerInfo digestAlgorithm.
 */
export function signatureSchemeOfOid(signatureAlgorithmOid: string): SignatureScheme {
  switch (signatureAlgorithmOid) {
    case OID.rsaEncryption: return { kind: 'rsa-pkcs1' };
    case OID.sha1WithRsaEncryption: return { kind: 'rsa-pkcs1', hash: 'sha1' };
    case OID.sha224WithRsaEncryption: return { kind: 'rsa-pkcs1', hash: 'sha224' };
    case OID.sha256WithRsaEncryption: return { kind: 'rsa-pkcs1', hash: 'sha256' };
    case OID.sha384WithRsaEncryption: return { kind: 'rsa-pkcs1', hash: 'sha384' };
    case OID.sha512WithRsaEncryption: return { kind: 'rsa-pkcs1', hash: 'sha512' };
    case OID.ecPublicKey: return { kind: 'ecdsa' };
    case OID.ecdsaWithSha1: return { kind: 'ecdsa', hash: 'sha1' };
    case OID.ecdsaWithSha224: return { kind: 'ecdsa', hash: 'sha224' };
    case OID.ecdsaWithSha256: return { kind: 'ecdsa', hash: 'sha256' };
    case OID.ecdsaWithSha384: return { kind: 'ecdsa', hash: 'sha384' };
    case OID.ecdsaWithSha512: return { kind: 'ecdsa', hash: 'sha512' };
    case OID.ed25519: return { kind: 'ed25519' };
    case OID.rsassaPss: return { kind: 'unsupported', reason: 'RSASSA-PSS signatures are not supported' };
    case OID.md5WithRsaEncryption: return { kind: 'unsupported', reason: 'MD5 signatures are not accepted' };
    default: return { kind: 'unsupported', reason: `unknown signature algorithm ${signatureAlgorithmOid}` };
  }
}
