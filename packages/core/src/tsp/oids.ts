/**
 * Object identifiers used by the RFC 3161 code.
 *
 * Inkan has no IANA Private Enterprise Number, so its private arc is a UUID OID under
 * 2.25 (ITU-T X.667 / RFC 4122 §4 — unique without registration):
 * UUID 21823c71-1e73-4828-9538-e9427f844608 = 2.25.44540748359294252132535346979429172744.
 * Sub-arcs: .1 = timestamp policies (.1.1 = the built-in TSA's default policy).
 * Operators with their own TSA policy document should configure their own OID instead.
 * Caveat: a 128-bit arc is valid ASN.1 but some parsers cannot read it (Go's encoding/asn1 stops
 * at 31 bits, asn1js prints it as hex; see oidText). Replace with an IANA PEN arc once one is registered.
 * (1.3.6.1.4.1.57264 is Sigstore's PEN, so it is not ours to use.)
 */
export const INKAN_OID_ARC = '2.25.44540748359294252132535346979429172744';
/** The default TSA policy of the built-in timestamp responder. */
export const INKAN_DEFAULT_TSA_POLICY = `${INKAN_OID_ARC}.1.1`;

export const OID = {
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  extKeyUsage: '2.5.29.37',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
  sha512WithRsa: '1.2.840.113549.1.1.13',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  ed25519: '1.3.101.112',
  mgf1: '1.2.840.113549.1.1.8',
} as const;

/** Names of the hash algorithms accepted in a TimeStampReq (RFC 3161 §2.4.1). */
export type TimestampHashAlgorithm = 'SHA-256' | 'SHA-384' | 'SHA-512';

interface HashInfo {
  /** Node's name for the hash. */
  node: string;
  /** Digest length in bytes. */
  length: number;
}

/** Hash algorithms by OID; SHA-1 is known only for reading old ESSCertIDs, never accepted as an imprint. */
export const HASHES: Readonly<Record<string, HashInfo>> = {
  '1.3.14.3.2.26': { node: 'sha1', length: 20 },
  '2.16.840.1.101.3.4.2.4': { node: 'sha224', length: 28 },
  '2.16.840.1.101.3.4.2.1': { node: 'sha256', length: 32 },
  '2.16.840.1.101.3.4.2.2': { node: 'sha384', length: 48 },
  '2.16.840.1.101.3.4.2.3': { node: 'sha512', length: 64 },
};

export const SHA256_OID = '2.16.840.1.101.3.4.2.1';

/** Imprint hash algorithms the responder accepts, by OID. */
export const IMPRINT_HASH_OIDS: Readonly<Record<TimestampHashAlgorithm, string>> = {
  'SHA-256': '2.16.840.1.101.3.4.2.1',
  'SHA-384': '2.16.840.1.101.3.4.2.2',
  'SHA-512': '2.16.840.1.101.3.4.2.3',
};
