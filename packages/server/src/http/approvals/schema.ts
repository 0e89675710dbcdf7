import * as z from 'zod';
import { routeStepsSchema } from '../../domain/approvals/approval-flow.ts';

/* Shapes of the 稟議 API (issue 13 part 3); what the values mean is the use cases' to judge. */

/** POST /api/v1/approval-routes, PUT /api/v1/approval-routes/{id}. */
export const routeBody = z.object({ name: z.string().max(1000), steps: routeStepsSchema });
/** Path parameters. */
export const routeParams = z.object({ id: z.string().max(100) });
/** PUT /api/v1/approval-routes/required. */
export const requiredBody = z.object({ routeId: z.uuid().nullable() });
/** POST …/approvals/approve (comment optional) and …/reject (reason required). */
export const approveBody = z.object({ comment: z.string().max(10_000).nullable().optional() }).nullish();
export const rejectBody = z.object({ reason: z.string().max(10_000) });
export const reassignParams = z.object({ id: z.string().max(100), approvalId: z.string().max(100) });
/** POST …/approvals/{approvalId}/reassign. */
export const reassignBody = z.object({ userId: z.uuid() });
