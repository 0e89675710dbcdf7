// 稟議 (internal approval) shapes of the API (docs/api.md, /api/v1/approval-routes and …/approvals).
import type { Envelope } from './types.ts';

export type StepMode = 'all' | 'any';

/** An approval route (GET /api/v1/approval-routes). */
export interface ApprovalRoute {
  id: string;
  name: string;
  steps: Array<{
    mode: StepMode;
    approverIds: string[];
    approvers: Array<{ id: string; name: string; email: string }>;
  }>;
  createdAt: string;
  updatedAt: string;
}

/** One approver's slot on an envelope. */
export interface ApprovalSlot {
  id: string;
  step: number;
  stepMode: StepMode;
  userId: string;
  name: string;
  email: string;
  status: 'open' | 'approved' | 'rejected' | 'skipped' | 'withdrawn';
  current: boolean;
  active: boolean;
  comment: string | null;
  decidedAt: string | null;
  reassignedFrom: string | null;
}

/** GET /api/v1/envelopes/{id}/approvals. */
export interface EnvelopeApprovals {
  envelope: Envelope;
  isSender: boolean;
  canDecide: boolean;
  rounds: Array<{ round: number; routeName: string; approvals: ApprovalSlot[] }>;
}

/** GET /api/v1/approvals (承認待ち一覧). */
export interface ApprovalInboxItem {
  envelopeId: string;
  name: string;
  routeName: string;
  step: number;
  stepMode: StepMode;
  senderName: string | null;
  submittedAt: string;
}
