import type { ColumnType } from 'kysely';

/** Tables of 稟議 (internal approval, migration 022). */
export interface ApprovalsSchema {
  approval_routes: {
    id: string;
    organization_id: string;
    name: string;
    /** JSON: [{ "mode": "all" | "any", "approverIds": [user ids] }, …] in route order. */
    steps: string;
    created_at: string;
    updated_at: string;
    deleted_at: string | null;
  };
  envelope_approvals: {
    id: string;
    envelope_id: string;
    organization_id: string;
    /** The submission this row belongs to (envelopes.approval_round at submission). */
    round: number;
    route_name: string;
    step_index: number;
    step_mode: 'all' | 'any';
    position: number;
    user_id: string;
    status: 'open' | 'approved' | 'rejected' | 'skipped' | 'withdrawn';
    comment: string | null;
    decided_at: string | null;
    reassigned_from_user_id: string | null;
    created_at: string;
    /** When the approver was last asked to decide (request or reminder mail queued); null before their turn. */
    asked_at: ColumnType<string | null, string | null | undefined, string | null>;
    /** Reminders queued for this slot (compare-and-set: two runs never remind one approver twice). */
    reminder_count: ColumnType<number, number | undefined, number>;
  };
}
