import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { RequestOrigin } from '../types.ts';
import { requireLine } from '../validation.ts';
import { ACCOUNT_NAME_MAX, parseCompanyName } from './complete-signup.ts';

/** Changes 氏名 and 会社名・団体名 of the account; the event names what changed (old → new). */
export async function updateProfile(
  ctx: DomainContext,
  input: {
    userId: string;
    organizationId: string | null;
    name: unknown;
    companyName?: unknown;
    origin?: RequestOrigin;
  },
): Promise<{ name: string; companyName: string | null }> {
  const name = requireLine(input.name, 'name', ACCOUNT_NAME_MAX);
  const companyName = parseCompanyName(input.companyName);
  const now = ctx.clock.now();
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const before = await tx
      .selectFrom('users')
      .select(['name', 'company_name'])
      .where('id', '=', input.userId)
      .executeTakeFirstOrThrow();
    if (before.name === name && before.company_name === companyName) return { name, companyName };
    await tx.updateTable('users').set({ name, company_name: companyName }).where('id', '=', input.userId).execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: { type: 'user', id: input.userId },
      action: 'account.profile-updated',
      origin: input.origin,
      at: now,
      details: { name: { from: before.name, to: name }, companyName: { from: before.company_name, to: companyName } },
    });
    return { name, companyName };
  });
}
