import { AppError } from '../app-error.ts';
import { verifyAccountPassword } from '../accounts/verify-account-password.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { RequestOrigin } from '../types.ts';

/**
 * Deletes the account (the password is required). Refused with LAST_ADMIN while it is the only
 * administrator of an organisation. The row goes and with it, by the foreign keys, its sessions, links,
 * tokens and memberships, and the stored copies of its account mails; envelopes it created stay with created_by set null, recipients it was keep
 * their name and address (they are the organisation's evidence). Its personal register goes too, and the
 * files of its own copies are crypto-shredded. The operation log keeps its events.
 */
export async function deleteAccount(
  ctx: DomainContext,
  input: { userId: string; password: unknown; origin?: RequestOrigin },
): Promise<void> {
  await verifyAccountPassword(ctx.db, input.userId, input.password);
  const now = ctx.clock.now();
  // The account's own copies (保管, personal imports) go with it: their rows by the foreign keys, their
  // files by crypto-shredding once the deletion committed. Organisation copies follow the organisation.
  const ownCopies = await ctx.db
    .selectFrom('contract_documents as d')
    .innerJoin('contracts as c', 'c.id', 'd.contract_id')
    .select('d.blob')
    .where('c.owner_user_id', '=', input.userId)
    .where('d.owned', '=', 1)
    // Earlier versions of those copies (LTA renewals write new blobs); the current one is listed above.
    .union(ctx.db.selectFrom('archive_versions').select('blob').where('owner_user_id', '=', input.userId))
    .execute();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const adminOf = await tx
      .selectFrom('memberships')
      .innerJoin('organizations', 'organizations.id', 'memberships.organization_id')
      .select(['organizations.id', 'organizations.name'])
      .where('memberships.user_id', '=', input.userId)
      .where('memberships.role', '=', 'admin')
      .where('memberships.deactivated_at', 'is', null)
      .execute();
    for (const organization of adminOf) {
      const admins = await tx
        .selectFrom('memberships')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('organization_id', '=', organization.id)
        .where('role', '=', 'admin')
        .where('deactivated_at', 'is', null)
        .executeTakeFirstOrThrow();
      if (Number(admins.n) <= 1)
        throw new AppError('LAST_ADMIN', 'the account is the last administrator of an organisation', {
          organization: organization.name,
          organizationId: organization.id,
        });
    }
    const memberships = await tx
      .selectFrom('memberships')
      .select(['organization_id', 'role'])
      .where('user_id', '=', input.userId)
      .execute();
    const account = await tx
      .selectFrom('users')
      .select('email')
      .where('id', '=', input.userId)
      .executeTakeFirstOrThrow();
    // The record of the account's own mails (sign-up, reset, e-mail change) is its personal data too;
    // mails about envelopes stay with the organisations' records.
    await tx
      .deleteFrom('mails')
      .where('to_address', '=', account.email)
      .where('idempotency_key', 'like', 'account:%')
      .execute();
    await tx.deleteFrom('users').where('id', '=', input.userId).execute();
    await recordEvent(tx, {
      organizationId: null,
      actor: { type: 'user', id: input.userId },
      action: 'account.deleted',
      origin: input.origin,
      at: now,
      details: { memberships: memberships.map((m) => ({ organizationId: m.organization_id, role: m.role })) },
    });
  });
  for (const { blob } of ownCopies) await ctx.blobs.shred(blob, 'account-deleted');
  if (ownCopies.length > 0) await ctx.blobs.purgeShredded();
}
