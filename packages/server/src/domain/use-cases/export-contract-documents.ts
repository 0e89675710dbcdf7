import type { DomainContext } from '../domain-context.ts';
import { AppError } from '../app-error.ts';
import type { ContractQuery } from '../register/contract-search.ts';
import { exportContracts } from './export-contracts.ts';

/** A document of a register entry, read on demand (audits verify them one by one). */
export interface RegisterDocument {
  contractId: string;
  title: string;
  kind: 'signed' | 'certificate' | 'imported';
  name: string;
  read(): Promise<Uint8Array>;
}

/**
 * Every document (signed PDFs, certificates of completion, imported PDFs) of the entries of an
 * organisation's register that a search matches, in the search's order, entry by entry: what
 * `inkan verify --batch --register` checks. Reads nothing until asked; the organisation by its slug.
 */
export async function* exportContractDocuments(
  ctx: Pick<DomainContext, 'db' | 'dialect' | 'blobs'>,
  input: { organizationSlug: string; query: ContractQuery },
): AsyncGenerator<RegisterDocument> {
  const organization = await ctx.db
    .selectFrom('organizations')
    .select('id')
    .where('slug', '=', input.organizationSlug)
    .executeTakeFirst();
  if (!organization) throw new AppError('NOT_FOUND', `no organisation "${input.organizationSlug}"`);
  const scope = { kind: 'organization' as const, organizationId: organization.id };
  for await (const contract of exportContracts(ctx, { scope, query: input.query })) {
    const documents = await ctx.db
      .selectFrom('contract_documents')
      .select(['kind', 'name', 'blob'])
      .where('contract_id', '=', contract.id)
      .orderBy('position')
      .execute();
    for (const document of documents)
      yield {
        contractId: contract.id,
        title: contract.title,
        kind: document.kind,
        name: document.name,
        read: () => ctx.blobs.get(document.blob),
      };
  }
}
