import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AppError } from './app-error.ts';

/** Shortest and longest password accepted (the guide: at least 10 characters). */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;

// packages/server/data/common-passwords.txt: 30,000 passwords, most common first (see its README). The
// compiled release has its copy in packages/server/dist/data (scripts/build.mjs), beside the chunks.
const LIST_URL = new URL(
  import.meta.url.endsWith('.ts') ? '../../data/common-passwords.txt' : './data/common-passwords.txt',
  import.meta.url,
);

let common: Set<string> | undefined;

/** The common-password list, lower-cased (read once, on first use). */
export function commonPasswords(): Set<string> {
  common ??= new Set(
    readFileSync(fileURLToPath(LIST_URL), 'utf8')
      .split('\n')
      .map((line) => line.trim().toLowerCase())
      .filter((line) => line.length > 0),
  );
  return common;
}

/**
 * Checks a new password: a string of 10–200 characters (code points) that is not on the common-password
 * list (compared lower-cased). Returns it, or throws PASSWORD_TOO_SHORT / PASSWORD_TOO_COMMON /
 * VALIDATION_FAILED.
 */
export function checkNewPassword(password: unknown): string {
  if (typeof password !== 'string')
    throw new AppError('VALIDATION_FAILED', 'password must be a string', { field: 'password' });
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH)
    throw new AppError('PASSWORD_TOO_SHORT', `the password must be at least ${PASSWORD_MIN_LENGTH} characters`, {
      field: 'password',
      min: PASSWORD_MIN_LENGTH,
    });
  if (length > PASSWORD_MAX_LENGTH)
    throw new AppError('VALIDATION_FAILED', `the password must be at most ${PASSWORD_MAX_LENGTH} characters`, {
      field: 'password',
      max: PASSWORD_MAX_LENGTH,
    });
  if (commonPasswords().has(password.toLowerCase()))
    throw new AppError('PASSWORD_TOO_COMMON', 'the password is on the list of common passwords', { field: 'password' });
  return password;
}
