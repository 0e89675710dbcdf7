/**
 * The verifier's report: the stable schema that `inkan verify --json` prints (schemaVersion 1).
 * Fields are only ever added, never renamed or removed, within a schema version.
 */
import type { RevisionChange } from './revision-diff.ts';

export type PadesLevel = 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';

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
  problems: string[];
}

export interface RevocationReport {
  /** Where validation data was found: the DSS, the CMS itself, or nowhere. */
  source: 'dss' | 'cms' | 'none';
  ocspResponses: number;
  crls: number;
  /** Status of the signer certificate according to that data. */
  status: 'good' | 'revoked' | 'unknown' | 'missing';
  /** Every non-root certificate of the signer's and the TSA's chains has revocation data. */
  complete: boolean;
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
  signer: { commonName: string | null; subject: string | null; email: string | null; organization: string | null } | null;
  /** /Name, /Reason, /Location, /ContactInfo, /M as written in the signature dictionary (claims, not proofs). */
  claimed: { name: string | null; reason: string | null; location: string | null; contactInfo: string | null; signingTime: string | null };
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
  /** valid: intact and trusted; untrusted: intact but no known trust anchor; invalid: anything else. */
  status: 'valid' | 'untrusted' | 'invalid';
  problems: string[];
}

export interface VerificationReport {
  schemaVersion: 1;
  file: { size: number; sha256: string; revisions: number; pages: number | null };
  signatures: SignatureReport[];
  /** Detected attack patterns: 'incremental-saving', 'shadow-attack', 'signature-wrapping', 'coverage-anomaly', 'signature-removed'. */
  attacks: string[];
  problems: string[];
  /** 0 every signature valid and trusted; 1 something invalid or untrusted; 2 not a PDF, unreadable or unsigned. */
  exitCode: 0 | 1 | 2;
  /** A one-line English summary. */
  summary: string;
}
