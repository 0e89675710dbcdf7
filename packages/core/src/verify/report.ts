/**
 * The verifier's report: the stable schema that `inkan verify --json` prints (schemaVersion 2:
 * ETSI EN 319 102-1 indications added). Fields are only ever added, never renamed or removed,
 * within a schema version.
 */
import type { RevisionChange } from './revision-diff.ts';

export type PadesLevel = 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';

/** ETSI EN 319 102-1 main indication. */
export type Indication = 'TOTAL-PASSED' | 'TOTAL-FAILED' | 'INDETERMINATE';

/** ETSI EN 319 102-1 sub-indications the verifier gives. */
export type SubIndication =
  | 'FORMAT_FAILURE'
  | 'HASH_FAILURE'
  | 'SIG_CRYPTO_FAILURE'
  | 'REVOKED'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'NO_SIGNING_CERTIFICATE_FOUND'
  | 'NO_CERTIFICATE_CHAIN_FOUND'
  | 'CHAIN_CONSTRAINTS_FAILURE'
  | 'CERTIFICATE_CHAIN_GENERAL_FAILURE'
  | 'REVOKED_NO_POE'
  | 'REVOKED_CA_NO_POE'
  | 'OUT_OF_BOUNDS_NO_POE'
  | 'TRY_LATER';

export interface CertificateSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  /** SHA-256 of the DER, hex. */
  fingerprint: string;
}

export interface TimestampReport {
  /** The time the TSA vouches for (ISO 8601, UTC). */
  time: string;
  tsa: string;
  serialNumber: string;
  policy: string;
  /** The token's message imprint equals the hash of what it stamps. */
  imprintMatches: boolean;
  signatureValid: boolean;
  chain: CertificateSummary[];
  trusted: boolean;
  /** The token counts as a proof of existence: imprint, signature, a TSA certificate with the critical timeStamping EKU, valid at genTime and chaining to a trust anchor. */
  accepted: boolean;
  problems: string[];
}

export interface RevocationReport {
  /** Where validation data was found: the DSS, the CMS itself (or its timestamp tokens), asked online (the installation's CA or the certificates' URLs), or nowhere. */
  source: 'dss' | 'cms' | 'online' | 'none';
  ocspResponses: number;
  crls: number;
  /** Status of the signer certificate according to that data, at `validationTime`. */
  status: 'good' | 'revoked' | 'unknown' | 'missing';
  /** Every non-root certificate of the signer's and the TSA's chains has revocation data. */
  complete: boolean;
  /** When a certificate of the path is revoked: the revocation time (ISO 8601). */
  revokedAt: string | null;
}

export interface SignatureReport {
  /** 1-based, in signing order. */
  index: number;
  fieldName: string;
  type: 'signature' | 'document-timestamp';
  subFilter: string | null;
  /** The revision (1-based) this signature closes, and whether it covers the whole file. */
  revision: number | null;
  coversWholeFile: boolean;
  byteRange: number[];
  signer: {
    commonName: string | null;
    subject: string | null;
    email: string | null;
    organization: string | null;
  } | null;
  /** /Name, /Reason, /Location, /ContactInfo, /M as written in the signature dictionary (claims, not proofs). */
  claimed: {
    name: string | null;
    reason: string | null;
    location: string | null;
    contactInfo: string | null;
    signingTime: string | null;
  };
  integrity: {
    coverageOk: boolean;
    digestMatches: boolean;
    signatureValid: boolean;
    signingCertificateMatches: boolean;
    digestAlgorithm: string | null;
  };
  timestamp: TimestampReport | null;
  certificate: {
    chain: CertificateSummary[];
    trusted: boolean;
    /** The signer certificate was valid at the timestamp's time (or now, without a timestamp). */
    validAtSigningTime: boolean;
  } | null;
  revocation: RevocationReport;
  level: PadesLevel | null;
  laterChanges: { allowed: boolean; changes: RevisionChange[] };
  /** ETSI indication and sub-indication (null with TOTAL-PASSED). */
  indication: Indication;
  subIndication: SubIndication | null;
  /** The time a timestamp proves the signature existed at (ISO 8601), null when nothing proves it. */
  bestSignatureTime: string | null;
  /** The time the certificates were validated at: now, or the time proved by a later document timestamp. */
  validationTime: string | null;
  /** valid: TOTAL-PASSED; untrusted: INDETERMINATE without a chain to a trust anchor; indeterminate: any other INDETERMINATE; invalid: TOTAL-FAILED. */
  status: 'valid' | 'untrusted' | 'indeterminate' | 'invalid';
  problems: string[];
}

export interface VerificationReport {
  schemaVersion: 2;
  file: { size: number; sha256: string; revisions: number; pages: number | null };
  signatures: SignatureReport[];
  /** Detected attack patterns: 'incremental-saving', 'shadow-attack', 'signature-wrapping', 'coverage-anomaly', 'signature-removed'. */
  attacks: string[];
  problems: string[];
  /** 0 every signature and timestamp TOTAL-PASSED; 1 anything else; 2 not a PDF, unreadable or unsigned. */
  exitCode: 0 | 1 | 2;
  /** A one-line English summary. */
  summary: string;
}
