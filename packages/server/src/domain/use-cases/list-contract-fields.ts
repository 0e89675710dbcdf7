import type { DomainContext } from '../domain-context.ts';
import type { ContractFieldDefinition } from './define-contract-field.ts';

/** The organisation's custom fields, by key. */
export async function listContractFields(
  ctx: Pick<DomainContext, 'db'>,
  input: { organizationId: string },
): Promise<ContractFieldDefinition[]> {
  const rows = await ctx.db
    .selectFrom('contract_field_definitions')
    .selectAll()
    .where('organization_id', '=', input.organizationId)
    .orderBy('key')
    .execute();
  return rows.map((r) => ({ key: r.key, label: r.label, type: r.type, choices: JSON.parse(r.choices) as string[] }));
}
