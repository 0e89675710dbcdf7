import type { AccountExporter, AccountExportFile } from '../accounts/account-export.ts';
import { getContractDocument } from '../use-cases/get-contract-document.ts';
import { getContract } from '../use-cases/get-contract.ts';
import type { ContractScope } from './contract-model.ts';

/** A document's name as a path segment inside the ZIP: no folders, no control characters, bounded. */
function fileNameOf(position: number, name: string): string {
  const clean = name.replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '_').slice(0, 150) || 'document.pdf';
  return `${String(position + 1).padStart(2, '0')}-${clean}`;
}

/**
 * contracts/: the account's personal register (保管 claims and imports) — `contracts/index.json` lists
 * the entries; each entry has `entry.json` (fields, documents with SHA-256, full history) and its PDFs
 * (signed documents and the certificate of completion), checked against their recorded hashes.
 */
export const personalRegisterExporter: AccountExporter = {
  name: 'contracts',
  async collect(ctx, userId) {
    const scope: ContractScope = { kind: 'personal', userId };
    const rows = await ctx.db
      .selectFrom('contracts')
      .select(['id'])
      .where('owner_user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const files: AccountExportFile[] = [];
    const index: Array<{ id: string; title: string; folder: string }> = [];
    for (const { id } of rows) {
      const { contract, documents, history } = await getContract(ctx, { scope, contractId: id });
      const folder = `contracts/${id}`;
      index.push({ id, title: contract.title, folder });
      files.push({
        path: `${folder}/entry.json`,
        content: `${JSON.stringify({ contract, documents, history }, null, 2)}\n`,
      });
      for (const [position, document] of documents.entries()) {
        const { bytes } = await getContractDocument(ctx, { scope, contractId: id, documentId: document.id });
        files.push({ path: `${folder}/${fileNameOf(position, document.name)}`, content: bytes });
      }
    }
    files.unshift({ path: 'contracts/index.json', content: `${JSON.stringify(index, null, 2)}\n` });
    return files;
  },
};
