import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { CONTRACT_LIMITS } from '../register/contract-model.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';
import { newId } from '../../security/tokens.ts';

import type { ContractFieldDefinition } from '../register/contract-api-types.ts';

export type { ContractFieldDefinition } from '../register/contract-api-types.ts';

/**
 * Defines a custom field (administrators): a key (a-z, 0-9, _), a label, a type (text, number, date,
 * choice with its choices). Keys are unique per organisation and are not redefined (values already
 * stored keep their meaning). Records `register.field-defined`.
 */
export async function defineContractField(
  ctx: DomainContext,
  input: {
    organizationId: string;
    role: string | null;
    field: ContractFieldDefinition;
    actor: Actor;
    origin?: RequestOrigin;
  },
): Promise<ContractFieldDefinition> {
  if (input.role !== 'admin') throw new AppError('FORBIDDEN', 'only administrators define register fields');
  const { key, label, type } = input.field;
  const choices = type === 'choice' ? [...new Set(input.field.choices.map((c) => c.normalize('NFC').trim()))] : [];
  if (
    type === 'choice' &&
    (choices.length === 0 || choices.length > CONTRACT_LIMITS.choices || choices.some((c) => c === ''))
  ) {
    throw new AppError('VALIDATION_FAILED', 'a choice field needs 1–100 non-empty choices', { field: 'choices' });
  }
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const existing = await tx
      .selectFrom('contract_field_definitions')
      .select('id')
      .where('organization_id', '=', input.organizationId)
      .execute();
    if (existing.length >= CONTRACT_LIMITS.customFields)
      throw new AppError('VALIDATION_FAILED', `at most ${CONTRACT_LIMITS.customFields} custom fields`, {
        field: 'key',
      });
    const taken = await tx
      .selectFrom('contract_field_definitions')
      .select('id')
      .where('organization_id', '=', input.organizationId)
      .where('key', '=', key)
      .executeTakeFirst();
    if (taken) throw new AppError('VALIDATION_FAILED', `the field ${key} exists already`, { field: 'key' });
    await tx
      .insertInto('contract_field_definitions')
      .values({
        id: newId(),
        organization_id: input.organizationId,
        key,
        label: label.trim(),
        type,
        choices: JSON.stringify(choices),
        created_at: ctx.clock.now().toISOString(),
      })
      .execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'register.field-defined',
      origin: input.origin,
      at: ctx.clock.now(),
      details: { key, label, type, choices },
    });
    return { key, label: label.trim(), type, choices };
  });
}
