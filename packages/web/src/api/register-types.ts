// JSON shapes of the register API (GET/PATCH /api/v1/contracts…, /api/claims/{token}), as the UI reads them.

export type ContractSource = 'envelope' | 'claim' | 'import';
export type ContractStatus = 'active' | 'expired' | 'terminated';
export type TaxTreatment = 'included' | 'excluded';

/** One row of the register's search results (docs/api.md, "Contract register"). */
export interface ContractSummary {
  id: string;
  scope: 'organization' | 'personal';
  source: ContractSource;
  envelopeId: string | null;
  certificateId: string | null;
  title: string;
  counterparties: string[];
  signedOn: string | null;
  startOn: string | null;
  endOn: string | null;
  noticeOn: string | null;
  amount: number | null;
  currency: string;
  tax: TaxTreatment | null;
  autoRenew: boolean;
  renewalMonths: number | null;
  contractType: string | null;
  referenceNumber: string | null;
  /** 担当者: a user id. */
  owner: string | null;
  memo: string;
  status: ContractStatus;
  tags: string[];
  watchers: string[];
  fields: Record<string, string>;
  imported: boolean;
  importedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ContractPage {
  items: ContractSummary[];
  nextCursor: string | null;
}

export interface ContractDocument {
  id: string;
  kind: 'signed' | 'certificate' | 'imported';
  name: string;
  size: number;
  sha256: string;
}

export interface ContractHistoryRow {
  id: string;
  field: string;
  oldValue: unknown;
  newValue: unknown;
  actor: { type: 'user' | 'api_key' | 'system'; id: string | null; name: string | null };
  at: string;
}

/** One upcoming deadline (GET /api/v1/contracts/deadlines). */
export interface ContractDeadline {
  kind: 'end' | 'notice';
  dueOn: string;
  daysLeft: number;
  contract: ContractSummary;
}

/** A register entry with its documents and history (oldest first). */
export interface ContractEntry extends ContractSummary {
  documents: ContractDocument[];
  history: ContractHistoryRow[];
}

/** The changes PATCH /api/v1/contracts/{id} takes (absent: unchanged, null: cleared). */
export interface ContractPatch {
  title?: string;
  counterparties?: string[];
  startOn?: string | null;
  endOn?: string | null;
  noticeOn?: string | null;
  amount?: number | null;
  tax?: TaxTreatment | null;
  autoRenew?: boolean;
  renewalMonths?: number | null;
  contractType?: string | null;
  referenceNumber?: string | null;
  memo?: string;
  tags?: string[];
  fields?: Record<string, string | null>;
}

/** A field suggestion from the PDF text (GET /api/v1/contracts/{id}/suggestions). */
export type FieldSuggestion = {
  confidence: number;
  source: { sentence: string; start: number; end: number };
  reason: { ja: string; en: string };
} & (
  | {
      field: 'amount';
      value: {
        yen: number;
        currency: 'JPY';
        tax: TaxTreatment | null;
        basis: 'total' | 'monthly' | 'yearly';
        context: string;
      };
    }
  | { field: 'startDate' | 'endDate'; value: string }
  | { field: 'autoRenewal'; value: { renews: true; periodMonths: number | null } }
  | { field: 'noticeDeadline'; value: { amount: number; unit: 'months' | 'days'; date: string | null } }
  | { field: 'parties'; value: { kou: string | null; otsu: string | null } }
);

/** GET /api/claims/{token}: what the 保管 page shows. */
export interface ClaimInfo {
  status: 'claimable' | 'claimed-by-you' | 'claimed';
  envelope: { name: string; certificateId: string };
  /** name and email are null when the envelope was sent with an API key. */
  sender: { organization: string; name: string | null; email: string | null };
  expiresAt: string;
  contractId?: string;
}
