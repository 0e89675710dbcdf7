// The JSON shapes of the register API (GET/PATCH /api/v1/contracts…, /deadlines, /members,
// /api/claims/{token}): the one definition the server's use cases return and the web UI reads
// (packages/web/src/api/register-types.ts re-exports these). Types only, importing nothing but other
// type-only files, so the browser bundle and its type check can take it without the server's dependencies.
import type { FieldSuggestion } from './suggestion-types.ts';

export type { FieldSuggestion } from './suggestion-types.ts';

export type ContractSource = 'envelope' | 'claim' | 'import';
export type ContractStatus = 'active' | 'expired' | 'terminated';
export type TaxTreatment = 'included' | 'excluded';

/** A register entry as the API shows it (one row of the search results). */
export interface Contract {
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
  /** Custom field values by key: a number field's value is a number, the others text (dates YYYY-MM-DD). */
  fields: Record<string, string | number>;
  imported: boolean;
  importedAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** When its documents were erased at the end of the retention period (crypto-shredding), or null. */
  shreddedAt: string | null;
}

/** One page of GET /api/v1/contracts. */
export interface ContractPage {
  items: Contract[];
  nextCursor: string | null;
}

/** One document of an entry. */
export interface ContractDocument {
  id: string;
  kind: 'signed' | 'certificate' | 'imported';
  name: string;
  size: number;
  /** SHA-256 of the current version (what the download serves). */
  sha256: string;
  /**
   * LTA renewal: 現在の版 of a sealed file — its version (1 = as sealed, one more per renewal), the hash
   * of version 1, when it was renewed and until when its newest timestamp's TSA certificate is valid.
   * Null for imported files and before the daily run recorded the file.
   */
  archive: { version: number; sha256Original: string; renewedAt: string | null; tsaExpiresAt: string | null } | null;
}

/** One change of an entry: who, when, which field, old → new. */
export interface ContractChange {
  id: string;
  field: string;
  oldValue: unknown;
  newValue: unknown;
  actor: { type: 'user' | 'api_key' | 'system'; id: string | null; name: string | null };
  at: string;
}

/** GET /api/v1/contracts/{id}: an entry with its documents and history (oldest first). */
export interface ContractEntry extends Contract {
  documents: ContractDocument[];
  history: ContractChange[];
}

/** One upcoming deadline of the register (GET /api/v1/contracts/deadlines). */
export interface UpcomingDeadline {
  kind: 'end' | 'notice';
  dueOn: string;
  daysLeft: number;
  contract: Contract;
}

/** A custom field of an organisation's register (GET /api/v1/contracts/fields). */
export interface ContractFieldDefinition {
  key: string;
  label: string;
  type: 'text' | 'number' | 'date' | 'choice';
  choices: string[];
}

/** Someone who may be an entry's 担当者 (GET /api/v1/contracts/members): the organisation's members, or the account itself. */
export interface ContractAssignee {
  id: string;
  name: string;
  email: string;
}

/** Who sent a claimed contract: named on the claim page and in the 410 of an expired link. */
export interface ClaimSender {
  organization: string;
  name: string | null;
  email: string | null;
}

/** GET /api/claims/{token}: what the 保管 page shows before the person claims. */
export interface ClaimView {
  status: 'claimable' | 'claimed-by-you' | 'claimed';
  envelope: { name: string; certificateId: string };
  sender: ClaimSender;
  expiresAt: string;
  /** The entry in the caller's personal register, when claimed by them. */
  contractId?: string;
}

/** GET /api/v1/contracts/{id}/suggestions. */
export interface ContractSuggestions {
  suggestions: FieldSuggestion[];
}

/**
 * The body of PATCH /api/v1/contracts/{id} (absent: unchanged, null: cleared; amounts and dates as
 * text or number, parsed by the server). The zod schema that checks it (http/contracts/schema.ts) is
 * proven equal to this type at compile time.
 */
export interface ContractChanges {
  title?: string;
  counterparties?: string[];
  signedOn?: string | null;
  startOn?: string | null;
  endOn?: string | null;
  noticeOn?: string | null;
  amount?: string | number | null;
  currency?: string;
  tax?: TaxTreatment | null;
  autoRenew?: boolean;
  renewalMonths?: number | null;
  contractType?: string | null;
  referenceNumber?: string | null;
  owner?: string | null;
  memo?: string;
  status?: ContractStatus;
  tags?: string[];
  watchers?: string[];
  fields?: Record<string, string | number | null>;
}
