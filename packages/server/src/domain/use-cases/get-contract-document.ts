import { readStoredDocument } from '../retention/read-stored-document.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { sha256Hex } from '../hashing.ts';
import { findContractRow, type ContractScope } from '../register/contract-model.ts';

/**
 * The bytes of one document of an entry (a signed PDF, the certificate of completion, an imported
 * PDF), checked against the SHA-256 recorded when it entered the register. Any time: no expiry.
 */
export async function getContractDocument(
  ctx: Pick<DomainContext, 'db' | 'blobs'>,
  input: { scope: ContractScope; contractId: string; documentId?: string; kind?: 'certificate' },
): Promise<{ name: string; bytes: Uint8Array }> {
  const row = await findContractRow(ctx.db, input.scope, input.contractId);
  let query = ctx.db
    .selectFrom('contract_documents')
    .select(['name', 'blob', 'sha256'])
    .where('contract_id', '=', row.id);
  if (input.documentId !== undefined) query = query.where('id', '=', input.documentId);
  if (input.kind !== undefined) query = query.where('kind', '=', input.kind);
  const document = await query.executeTakeFirst();
  if (!document) throw new AppError('NOT_FOUND', 'no such document');
  const bytes = await readStoredDocument(ctx.blobs, document.blob);
  // A stored file that no longer matches its recorded hash is not served as the contract.
  if (sha256Hex(bytes) !== document.sha256)
    throw new AppError('INTERNAL_ERROR', 'stored document does not match its SHA-256');
  return { name: document.name, bytes };
}
