import { addDocumentTimestamp, joinUpdate, PdfDocument } from '@inkan/core';
import { AppError } from '../app-error.ts';
import { sha256Hex } from '../hashing.ts';
import { pdfAppError } from '../pdf-errors.ts';
import type { ContractScope } from '../register/contract-model.ts';
import { extractPdfText } from '../register/extract-pdf-text.ts';
import { insertContractEntry } from '../register/insert-contract-entry.ts';
import { inTransaction } from '../transaction.ts';
import type { RequestOrigin } from '../types.ts';
import type { SigningDomainContext } from './apply-recipient-signature.ts';
import { canonicalChanges, type ContractChanges, type RegisterActor } from './update-contract.ts';

/** A file name fit for a download (no path, no control characters), with a fallback. */
function cleanName(name: string | undefined): string {
  const base = (name ?? '')
    .split(/[\\/]/)
    .pop()!
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, 200);
  return base === '' ? 'contract.pdf' : base;
}

/**
 * Import of a contract signed elsewhere or a scanned paper one (a PDF with fields): validates the
 * fields like PATCH and the PDF (not encrypted, readable, within INKAN_MAX_UPLOAD_MB), adds a document
 * timestamp (RFC 3161, as an incremental update: the original bytes stay as they were) so the entry
 * proves its content existed from the import on, stores it as the entry's own copy, extracts its text,
 * and records `contract.imported` with the entry in one transaction. Entries are marked imported.
 */
export async function importContract(
  ctx: SigningDomainContext,
  input: {
    scope: ContractScope;
    actor: RegisterActor;
    origin?: RequestOrigin;
    contract: ContractChanges & { title: string };
    document: { name?: string; bytes: Uint8Array };
  },
): Promise<string> {
  const fields = await canonicalChanges(ctx, input.scope, input.contract);
  if (fields.startOn && fields.endOn && fields.endOn < fields.startOn)
    throw new AppError('DATE_ORDER', 'endOn is before startOn', { field: 'endOn' });
  const name = cleanName(input.document.name);
  const details = { document: name };
  if (input.document.bytes.length > ctx.config.maxUploadBytes)
    throw new AppError('PAYLOAD_TOO_LARGE', `${name} is too large`, {
      ...details,
      maxBytes: ctx.config.maxUploadBytes,
    });
  let timestamped: Uint8Array;
  try {
    const pdf = PdfDocument.load(input.document.bytes);
    if (pdf.pageCount < 1)
      throw new AppError('PDF_INVALID', `${name} has no pages`, { ...details, reason: 'PDF_NO_PAGES' });
    timestamped = joinUpdate(await addDocumentTimestamp(pdf, ctx.signing.timestampAuthority));
  } catch (error) {
    throw pdfAppError(error, name, details);
  }
  const text = await extractPdfText(timestamped);
  const sha256 = sha256Hex(timestamped);
  const blob = await ctx.blobs.put(timestamped);
  try {
    const now = ctx.clock.now();
    return await inTransaction(ctx.db, ctx.dialect, (tx) =>
      insertContractEntry(
        tx,
        {
          scope: input.scope,
          source: 'import',
          envelopeId: null,
          certificateId: null,
          title: fields.title!,
          counterparties: fields.counterparties ?? [],
          signedOn: fields.signedOn ?? null,
          assigneeUserId: fields.owner ?? null,
          extractedText: text,
          documents: [{ kind: 'imported', name, size: timestamped.length, sha256, blob, owned: true }],
          importedAt: now.toISOString(),
          fields: {
            start_on: fields.startOn ?? null,
            end_on: fields.endOn ?? null,
            notice_on: fields.noticeOn ?? null,
            amount: fields.amount ?? null,
            ...(fields.currency ? { currency: fields.currency } : {}),
            tax: fields.tax ?? null,
            auto_renew: fields.autoRenew ? 1 : 0,
            renewal_months: fields.renewalMonths ?? null,
            contract_type: fields.contractType ?? null,
            reference_number: fields.referenceNumber ?? null,
            memo: fields.memo ?? '',
            ...(fields.status ? { status: fields.status } : {}),
          },
          tags: fields.tags,
          watchers: fields.watchers,
          fieldValues: Object.fromEntries(
            Object.entries(fields.fields ?? {}).filter((entry): entry is [string, string] => entry[1] !== null),
          ),
        },
        {
          action: 'contract.imported',
          organizationId: input.scope.kind === 'organization' ? input.scope.organizationId : null,
          actor: input.actor,
          origin: input.origin,
          at: now,
          details: { document: name, sha256Original: sha256Hex(input.document.bytes), sha256Timestamped: sha256 },
        },
      ),
    );
  } catch (error) {
    await ctx.blobs.delete(blob).catch(() => undefined);
    throw error;
  }
}
