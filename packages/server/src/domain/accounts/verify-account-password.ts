import { verifyPassword } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import type { DbOrTx } from '../../ports/database.ts';

/** Checks the account's current password (for changes that need it): wrong or missing → PASSWORD_WRONG. */
export async function verifyAccountPassword(db: DbOrTx, userId: string, password: unknown): Promise<void> {
  const user = await db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirst();
  const ok =
    typeof password === 'string' && password.length > 0 && password.length <= 1024 && user?.password_hash
      ? await verifyPassword(password, user.password_hash)
      : false;
  if (!ok) throw new AppError('PASSWORD_WRONG', 'the current password is wrong', { field: 'currentPassword' });
}
