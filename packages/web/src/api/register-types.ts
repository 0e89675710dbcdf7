// JSON shapes of the register API (GET/PATCH /api/v1/contracts…, /api/claims/{token}), as the UI reads
// them: re-exported from the server's one definition (type-only, erased from the bundle), so the two
// cannot drift — a change there that the UI does not handle fails the web's type check.
import type {
  ClaimView,
  Contract,
  ContractChange,
  ContractChanges,
  UpcomingDeadline,
} from '@inkan/server/src/domain/register/contract-api-types.ts';

export type {
  ContractAssignee,
  ContractDocument,
  ContractEntry,
  ContractFieldDefinition,
  ContractPage,
  ContractSource,
  ContractStatus,
  FieldSuggestion,
  TaxTreatment,
} from '@inkan/server/src/domain/register/contract-api-types.ts';

/** GET /api/v1/renewals (長期保存（タイムスタンプ更新）). */
export type { ArchiveRenewalItem, ArchiveRenewals } from '@inkan/server/src/domain/archive-renewal-types.ts';

/** One row of the register's search results (docs/api.md, "Contract register"). */
export type ContractSummary = Contract;
/** One change of an entry (history, oldest first). */
export type ContractHistoryRow = ContractChange;
/** One upcoming deadline (GET /api/v1/contracts/deadlines). */
export type ContractDeadline = UpcomingDeadline;
/** The changes PATCH /api/v1/contracts/{id} takes (absent: unchanged, null: cleared). */
export type ContractPatch = ContractChanges;
/** GET /api/claims/{token}: what the 保管 page shows. */
export type ClaimInfo = ClaimView;
