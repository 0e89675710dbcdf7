import { AppError } from '../app-error.ts';

/** A code a counterparty chooses itself: 6–8 digits (the signer page accepts 4–8; a chosen code is held to more). */
export const CHOSEN_ACCESS_CODE_PATTERN = /^[0-9]{6,8}$/;

// Numbers people pick first (keypad patterns, well-known sequences); runs and repeats are found by rule.
const COMMON_CODES = new Set([
  '123123',
  '112233',
  '121212',
  '159753',
  '147258',
  '258369',
  '147852',
  '741852',
  '963852',
  '789456',
  '456123',
  '142536',
  '123321',
  '654321',
  '11223344',
  '12344321',
  '13579246',
  '24682468',
  '13571357',
]);

/** Why a well-formed chosen code is too easy to guess, or null. */
export function weakAccessCodeReason(code: string): 'repeated' | 'sequence' | 'pattern' | 'common' | null {
  if (/^(\d)\1+$/.test(code)) return 'repeated';
  const steps = new Set<number>();
  for (let i = 1; i < code.length; i++) steps.add((Number(code[i]) - Number(code[i - 1]) + 10) % 10);
  // 123456, 987654, 890123 (wrapping runs), 135791 (constant step).
  if (steps.size === 1) return 'sequence';
  // A short block repeated: 121212, 123123, 12341234.
  for (const size of [2, 3, 4]) {
    if (code.length % size === 0 && code.slice(0, size).repeat(code.length / size) === code) return 'pattern';
  }
  if (COMMON_CODES.has(code)) return 'common';
  // A date of the last hundred years as YYYYMMDD (birthdays, founding days).
  if (code.length === 8 && /^(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/.test(code)) return 'common';
  return null;
}

/**
 * Checks the code a counterparty chose on the 届出 page and its confirmation: 6–8 ASCII digits
 * (INVALID_ACCESS_CODE_FORMAT, field accessCode), the same twice (ACCESS_CODE_MISMATCH), and not
 * trivially guessable (ACCESS_CODE_WEAK with the reason). The code itself never goes into an error.
 */
export function checkChosenAccessCode(code: unknown, confirmation: unknown): string {
  if (typeof code !== 'string' || !CHOSEN_ACCESS_CODE_PATTERN.test(code))
    throw new AppError('INVALID_ACCESS_CODE_FORMAT', 'the access code is 6–8 digits', {
      field: 'accessCode',
      min: 6,
      max: 8,
    });
  if (code !== confirmation)
    throw new AppError('ACCESS_CODE_MISMATCH', 'the two codes differ', { field: 'accessCodeConfirmation' });
  const reason = weakAccessCodeReason(code);
  if (reason !== null)
    throw new AppError('ACCESS_CODE_WEAK', 'the access code is too easy to guess', { field: 'accessCode', reason });
  return code;
}
