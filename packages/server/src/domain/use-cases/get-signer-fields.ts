import type { DomainContext } from '../domain-context.ts';
import { loadFields, type EnvelopeField } from '../fields/envelope-fields.ts';
import { requireSigner } from './get-signer-view.ts';

/** The authenticated signer's own fields (GET, read only): what the review screen overlays on the pages. */
export async function getSignerFields(
  ctx: DomainContext,
  input: { token: string; sessionToken: string | undefined },
): Promise<EnvelopeField[]> {
  const signer = await requireSigner(ctx, input.token, input.sessionToken);
  return (await loadFields(ctx.db, signer.envelope.id)).filter((f) => f.recipientId === signer.recipient.id);
}
