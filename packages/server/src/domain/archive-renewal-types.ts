// JSON shapes of GET /api/v1/renewals (LTA renewal), shared with the UI (type-only imports there).

/** A stored PDF as the renewal page shows it. */
export interface ArchiveRenewalItem {
  /** The sealing envelope (null for register copies: 保管 copies and imports). */
  envelopeId: string | null;
  envelopeName: string | null;
  certificateId: string | null;
  /** The register entry whose own copy this is (null for the sender's sealed files). */
  contractId: string | null;
  contractTitle: string | null;
  subjectKind: 'document' | 'certificate' | 'claimed-document' | 'claimed-certificate' | 'imported';
  name: string;
  version: number;
  sha256: string;
  /** SHA-256 of version 1 (the file as sealed, claimed or imported). */
  sha256Original: string;
  sha256Previous: string | null;
  timestampAt: string | null;
  tsaSubject: string | null;
  tsaExpiresAt: string | null;
  timestampHash: string | null;
  reason: 'sealed' | 'tsa-expiry' | 'weak-hash';
  renewedAt: string | null;
  /** When the renewal is due (the TSA certificate's end minus INKAN_RENEWAL_MARGIN); null when it cannot be renewed. */
  dueAt: string | null;
  /** Whether the next daily run renews it. */
  due: boolean;
}

/** GET /api/v1/renewals. */
export interface ArchiveRenewals {
  /** INKAN_RENEWAL_MARGIN in days, and INKAN_RENEWAL_MIN_HASH. */
  marginDays: number;
  minimumHash: string;
  upcoming: ArchiveRenewalItem[];
  done: ArchiveRenewalItem[];
}
