import { AppError } from '../app-error.ts';

const MAX_NEXT_LENGTH = 500;

/**
 * A `next` return path, validated: a same-origin relative path (`/claim/abc?x=1`), never `//host`,
 * `/\host`, a scheme, a backslash or a control character. Undefined/empty → null; anything else that is
 * not such a path → VALIDATION_FAILED (field next).
 */
export function parseNextPath(next: unknown): string | null {
  if (next === undefined || next === null || next === '') return null;
  if (typeof next !== 'string' || next.length > MAX_NEXT_LENGTH || !isSafeNextPath(next)) {
    throw new AppError('VALIDATION_FAILED', 'next must be a path on this site (starting with a single /)', {
      field: 'next',
    });
  }
  return next;
}

/** Whether a string is a same-origin relative path (the rule of parseNextPath). */
export function isSafeNextPath(next: string): boolean {
  if (!next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return false;
  // Control characters and spaces: browsers strip some of them, which can turn `/\t/evil` into `//evil`.
  if (/[\u0000-\u0020\u007f]/.test(next)) return false;
  const base = 'http://inkan.invalid';
  const url = new URL(next, base);
  return url.origin === base;
}
