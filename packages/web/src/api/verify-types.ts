// JSON shapes of the public verification API (docs/api.md, "Public verification"; the report itself
// is docs/verify-json.md), as the verification page reads them.

/** A text in both UI languages, written by the server. */
export interface Bilingual {
  ja: string;
  en: string;
}

export type Verdict = 'valid' | 'invalid' | 'untrusted' | 'indeterminate' | 'unsigned' | 'unreadable';
export type SignatureStatus = 'valid' | 'untrusted' | 'indeterminate' | 'invalid';
/** ETSI EN 319 102-1 main indication. */
export type Indication = 'TOTAL-PASSED' | 'TOTAL-FAILED' | 'INDETERMINATE';

export interface CertificateSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  fingerprint: string;
}

/** The parts of the verifier's SignatureReport the page shows as technical details. */
export interface ReportSignature {
  index: number;
  fieldName: string;
  subFilter: string | null;
  byteRange: number[];
  integrity: {
    coverageOk: boolean;
    digestMatches: boolean;
    signatureValid: boolean;
    signingCertificateMatches: boolean;
    digestAlgorithm: string | null;
  };
  timestamp: {
    time: string;
    tsa: string;
    serialNumber: string;
    trusted: boolean;
    accepted: boolean;
    chain: CertificateSummary[];
  } | null;
  certificate: { chain: CertificateSummary[]; trusted: boolean; validAtSigningTime: boolean } | null;
  revocation: { source: string; status: string; complete: boolean; revokedAt: string | null };
  indication: Indication;
  subIndication: string | null;
  bestSignatureTime: string | null;
  validationTime: string | null;
  problems: string[];
}

export interface VerificationReport {
  schemaVersion: number;
  file: { size: number; sha256: string; revisions: number; pages: number | null };
  signatures: ReportSignature[];
  attacks: string[];
  problems: string[];
  exitCode: number;
  summary: string;
}

export interface PresentedChange {
  kind: string;
  allowed: boolean;
  page: number | null;
  text: Bilingual;
  detail: string;
}

export interface PresentedSignature {
  index: number;
  type: 'signature' | 'document-timestamp';
  status: SignatureStatus;
  statusLabel: Bilingual;
  indication: Indication;
  subIndication: string | null;
  indicationText: Bilingual;
  subIndicationText: Bilingual | null;
  signer: { name: string | null; email: string | null; organization: string | null } | null;
  time: { at: string; proven: boolean } | null;
  timestampAuthority: string | null;
  issuer: 'this-inkan' | 'unknown' | 'none';
  level: string | null;
  levelText: Bilingual | null;
  changesAfterSigning: 'altered' | 'unchanged' | 'allowed' | 'forbidden';
  laterChanges: PresentedChange[];
  summary: { ja: string[]; en: string[] };
}

export interface VerifyPresentation {
  verdict: Verdict;
  headline: Bilingual;
  explanation: Bilingual;
  signatures: PresentedSignature[];
  attacks: Array<{ id: string; name: Bilingual; explanation: Bilingual }>;
}

/** POST /api/verify. */
export interface VerifyResponse {
  report: VerificationReport;
  presentation: VerifyPresentation;
}

/** GET /api/verify/certificates/{certificateId}. */
export interface PublicCertificate {
  certificateId: string;
  envelope: { name: string; completedAt: string };
  /** sha256Signed: as signed and sealed; versions: LTA renewals (each a new SHA-256; the last is current). */
  documents: Array<{
    name: string;
    pages: number;
    sha256Original: string;
    sha256Signed: string;
    versions: Array<{ version: number; sha256: string; renewedAt: string | null; current: boolean }>;
  }>;
  parties: Array<{ name: string; email: string; signedAt: string | null }>;
}
