import { inBothLanguages } from '@inkan/core/messages';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import {
  DEFAULT_RETENTION_YEARS,
  isRetentionDocumentType,
  RETENTION_LIMITS,
  RETENTION_YEARS,
  retentionRules,
} from '../retention/retention-policy.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';
import { getRetentionSettings, type RetentionSettings } from './get-retention-settings.ts';

function checkYears(years: unknown, field: string): number {
  if (
    typeof years !== 'number' ||
    !Number.isInteger(years) ||
    years < RETENTION_YEARS.min ||
    years > RETENTION_YEARS.max
  )
    throw new AppError(
      'VALIDATION_FAILED',
      `${field}: a whole number of years, ${RETENTION_YEARS.min}–${RETENTION_YEARS.max}`,
      { field },
      inBothLanguages('error.VALIDATION_FAILED.retention.years', { ...RETENTION_YEARS }),
    );
  return years;
}

/**
 * Replaces the organisation's retention periods (保存期間): the default and the rules by source or
 * 契約種別, each 1–100 whole years. One `retention.settings-changed` event with before and after.
 */
export async function updateRetentionSettings(
  ctx: DomainContext,
  input: {
    organizationId: string;
    defaultYears: unknown;
    rules: ReadonlyArray<{ documentType: unknown; years: unknown }>;
    actor: Actor;
    origin?: RequestOrigin;
  },
): Promise<RetentionSettings> {
  const defaultYears = checkYears(input.defaultYears, 'defaultYears');
  if (input.rules.length > RETENTION_LIMITS.rules)
    throw new AppError('VALIDATION_FAILED', `rules: at most ${RETENTION_LIMITS.rules}`, { field: 'rules' });
  const wanted = new Map<string, number>();
  for (const [index, rule] of input.rules.entries()) {
    const type = typeof rule.documentType === 'string' ? rule.documentType.normalize('NFC') : '';
    if (!isRetentionDocumentType(type) || type === 'default')
      throw new AppError(
        'VALIDATION_FAILED',
        `rules[${index}].documentType: "source:envelope", "source:import" or "type:" followed by a 契約種別 (1–${RETENTION_LIMITS.contractType} characters)`,
        { field: `rules[${index}].documentType` },
        inBothLanguages('error.VALIDATION_FAILED.retention.contractType', { max: RETENTION_LIMITS.contractType }),
      );
    if (wanted.has(type))
      throw new AppError(
        'VALIDATION_FAILED',
        `rules[${index}].documentType: ${type} is given twice`,
        { field: `rules[${index}].documentType` },
        inBothLanguages('error.VALIDATION_FAILED.retention.duplicate'),
      );
    wanted.set(type, checkYears(rule.years, `rules[${index}].years`));
  }
  // The built-in 10 years needs no row; any other default is a rule like the others.
  if (defaultYears !== DEFAULT_RETENTION_YEARS) wanted.set('default', defaultYears);
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const before = await retentionRules(tx, input.organizationId);
    await tx.deleteFrom('retention_rules').where('organization_id', '=', input.organizationId).execute();
    const at = ctx.clock.now().toISOString();
    if (wanted.size > 0)
      await tx
        .insertInto('retention_rules')
        .values(
          [...wanted.entries()].map(([documentType, years]) => ({
            organization_id: input.organizationId,
            document_type: documentType,
            years,
            updated_at: at,
            updated_by_user_id: input.actor.type === 'user' ? input.actor.id : null,
          })),
        )
        .execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'retention.settings-changed',
      origin: input.origin,
      at: ctx.clock.now(),
      details: { from: Object.fromEntries(before), to: Object.fromEntries(wanted) },
    });
  });
  return getRetentionSettings(ctx, { organizationId: input.organizationId });
}
