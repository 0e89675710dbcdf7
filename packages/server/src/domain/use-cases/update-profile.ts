import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { RequestOrigin } from '../types.ts';
import { requireLine } from '../validation.ts';
import { ACCOUNT_NAME_MAX, parseCompanyName } from './complete-signup.ts';

/** Longest telephone number (digits, +, -, spaces, parentheses). */
export const PHONE_MAX = 30;

/**
 * 電話番号: optional, shown to signers as the sender's contact. Full-width digits and hyphens (typed with
 * a Japanese IME on) count as their ASCII forms; empty → null.
 */
export function parsePhone(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > 100)
    throw new AppError('VALIDATION_FAILED', 'phone must be a telephone number', { field: 'phone', max: PHONE_MAX });
  const text = value
    .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/[－ー‐−]/g, '-')
    .replace(/[（]/g, '(')
    .replace(/[）]/g, ')')
    .replace(/[＋]/g, '+')
    .replace(/\u3000/g, ' ')
    .trim();
  if (text === '') return null;
  if (text.length > PHONE_MAX || !/^\+?[0-9(][0-9\- ()]*[0-9]$/.test(text) || (text.match(/[0-9]/g) ?? []).length < 5)
    throw new AppError('VALIDATION_FAILED', 'phone must be a telephone number like 03-1234-5678', {
      field: 'phone',
      max: PHONE_MAX,
    });
  return text;
}

/** Changes 氏名, 会社名・団体名 and 電話番号 of the account; the event names what changed (old → new). */
export async function updateProfile(
  ctx: DomainContext,
  input: {
    userId: string;
    organizationId: string | null;
    name: unknown;
    companyName?: unknown;
    /** undefined: unchanged; null or '': removed. */
    phone?: unknown;
    origin?: RequestOrigin;
  },
): Promise<{ name: string; companyName: string | null; phone: string | null }> {
  const name = requireLine(input.name, 'name', ACCOUNT_NAME_MAX);
  const companyName = parseCompanyName(input.companyName);
  const newPhone = input.phone === undefined ? undefined : parsePhone(input.phone);
  const now = ctx.clock.now();
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const before = await tx
      .selectFrom('users')
      .select(['name', 'company_name', 'phone'])
      .where('id', '=', input.userId)
      .executeTakeFirstOrThrow();
    const phone = newPhone === undefined ? before.phone : newPhone;
    if (before.name === name && before.company_name === companyName && before.phone === phone)
      return { name, companyName, phone };
    await tx
      .updateTable('users')
      .set({ name, company_name: companyName, phone })
      .where('id', '=', input.userId)
      .execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: { type: 'user', id: input.userId },
      action: 'account.profile-updated',
      origin: input.origin,
      at: now,
      details: {
        name: { from: before.name, to: name },
        companyName: { from: before.company_name, to: companyName },
        ...(before.phone !== phone ? { phone: { from: before.phone, to: phone } } : {}),
      },
    });
    return { name, companyName, phone };
  });
}
