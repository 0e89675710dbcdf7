import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { sha256Hex } from '../hashing.ts';
import { assertClaimOpen, loadClaim } from '../register/claim-link.ts';
import { japanDate } from '../register/contract-model.ts';
import { insertContractEntry, type EntryDocument } from '../register/insert-contract-entry.ts';
import { extractPdfText, TEXT_LIMITS } from '../register/extract-pdf-text.ts';
import { inTransaction } from '../transaction.ts';
import type { RequestOrigin } from '../types.ts';
import { certificateFileName } from './get-completion-certificate.ts';

/**
 * 保管: puts the signed documents and the certificate of completion of a completed envelope into the
 * signed-in account's personal register, as the account's OWN copies (new blobs: nothing the sender
 * does later — cancel, delete, retention — can remove them).
 *
 * The rule for a link: it belongs to the first account that claims it. The same account again gets
 * the same entry (idempotent, even after the TTL); another account gets CLAIM_ALREADY_USED (409) — a
 * recipient's link forwarded to someone else must not hand out the contract a second time.
 * Records `contract.claimed` (account, IP, user agent) in the sender organisation's operation log,
 * on the envelope, in the same transaction as the entry.
 */
export async function claimContract(
  ctx: DomainContext,
  input: { token: string; userId: string; origin?: RequestOrigin },
): Promise<{ contractId: string; created: boolean }> {
  const claim = await loadClaim(ctx.db, input.token);
  if (claim.link.claimed_by_user_id !== null) {
    if (claim.link.claimed_by_user_id === input.userId && claim.link.contract_id)
      return { contractId: claim.link.contract_id, created: false };
    throw new AppError('CLAIM_ALREADY_USED', 'this claim link was used by another account');
  }
  assertClaimOpen(claim, ctx.clock.now());
  const { envelope } = claim;
  if (envelope.status !== 'completed') throw new AppError('CLAIM_INVALID', 'the envelope is not completed');

  // Copy the bytes first (outside the transaction: blob writes are slow and not transactional).
  const documents = await ctx.db
    .selectFrom('documents')
    .selectAll()
    .where('envelope_id', '=', envelope.id)
    .orderBy('position')
    .execute();
  const copies: EntryDocument[] = [];
  const texts: string[] = [];
  try {
    for (const d of documents) {
      const bytes = await ctx.blobs.get(d.blob_current);
      copies.push({
        kind: 'signed',
        name: d.name,
        size: bytes.length,
        sha256: sha256Hex(bytes),
        blob: await ctx.blobs.put(bytes),
        owned: true,
      });
      if (texts.join('').length < TEXT_LIMITS.chars) texts.push(await extractPdfText(bytes));
    }
    if (envelope.certificate_blob !== null) {
      const bytes = await ctx.blobs.get(envelope.certificate_blob);
      copies.push({
        kind: 'certificate',
        name: certificateFileName(envelope.certificate_id),
        size: bytes.length,
        sha256: sha256Hex(bytes),
        blob: await ctx.blobs.put(bytes),
        owned: true,
      });
    }
  } catch (error) {
    await Promise.all(copies.map((c) => ctx.blobs.delete(c.blob).catch(() => undefined)));
    throw error;
  }

  const now = ctx.clock.now();
  const outcome = await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    // Compare-and-set first: of two racing claims (two tabs, two workers) exactly one proceeds.
    const taken = await tx
      .updateTable('claim_links')
      .set({ claimed_by_user_id: input.userId, claimed_at: now.toISOString() })
      .where('id', '=', claim.link.id)
      .where('claimed_by_user_id', 'is', null)
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) !== 1)
      return {
        contractId: null,
        raced: await tx.selectFrom('claim_links').selectAll().where('id', '=', claim.link.id).executeTakeFirstOrThrow(),
      };
    const contractId = await insertContractEntry(
      tx,
      {
        scope: { kind: 'personal', userId: input.userId },
        source: 'claim',
        envelopeId: envelope.id,
        certificateId: envelope.certificate_id,
        title: envelope.name,
        counterparties: claim.sender.organization ? [claim.sender.organization] : [],
        signedOn: japanDate(new Date(envelope.completed_at ?? now.toISOString())),
        assigneeUserId: input.userId,
        extractedText: texts.join('\n').slice(0, TEXT_LIMITS.chars),
        documents: copies,
      },
      {
        action: 'contract.claimed',
        organizationId: envelope.organization_id,
        actor: { type: 'user', id: input.userId },
        origin: input.origin,
        at: now,
        details: { recipientId: claim.link.recipient_id, accountId: input.userId },
      },
    );
    await tx.updateTable('claim_links').set({ contract_id: contractId }).where('id', '=', claim.link.id).execute();
    return { contractId, raced: null };
  });
  if (outcome.contractId !== null) return { contractId: outcome.contractId, created: true };
  // Another request claimed first: our copies are not needed.
  await Promise.all(copies.map((c) => ctx.blobs.delete(c.blob).catch(() => undefined)));
  if (outcome.raced?.claimed_by_user_id === input.userId && outcome.raced.contract_id)
    return { contractId: outcome.raced.contract_id, created: false };
  throw new AppError('CLAIM_ALREADY_USED', 'this claim link was used by another account');
}
