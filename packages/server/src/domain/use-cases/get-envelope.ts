import type { DomainContext } from '../domain-context.ts';
import { AppError } from '../app-error.ts';
import { isUuid, loadEnvelopeDetails, type EnvelopeDetails } from '../rows.ts';

/** One envelope of the caller's organisation (another organisation's, or an unknown id → NOT_FOUND). */
export async function getEnvelope(
  ctx: DomainContext,
  input: { organizationId: string; envelopeId: string },
): Promise<EnvelopeDetails> {
  if (!isUuid(input.envelopeId)) throw new AppError('NOT_FOUND', 'no such envelope');
  return loadEnvelopeDetails(ctx.db, input.organizationId, input.envelopeId);
}
