import { AppError } from './app-error.ts';

/** Limits of an envelope (kept in one place: the HTTP schema and the OpenAPI document use them too). */
export const LIMITS = {
  envelopeName: 200,
  message: 5000,
  documents: 20,
  documentName: 200,
  recipients: 20,
  recipientName: 100,
  email: 254,
  declineReason: 1000,
  passwordMin: 10,
  passwordMax: 200,
} as const;

/** Access codes: 4–8 digits. */
export const ACCESS_CODE_PATTERN = /^[0-9]{4,8}$/;

// Practical address syntax (what mail servers accept in real life), not the whole of RFC 5322:
// a local part without spaces, quotes or angle brackets; a domain of LDH labels with at least one dot.
const EMAIL_PATTERN =
  /^[^\s@"<>(),;:\\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** Whether an e-mail address is well-formed. */
export function isEmail(text: string): boolean {
  return text.length <= LIMITS.email && EMAIL_PATTERN.test(text);
}

// Line breaks and other control characters have no place in names (they end up in mail headers).
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A trimmed one-line text of 1..max characters, or VALIDATION_FAILED naming the field. */
export function requireLine(value: unknown, field: string, max: number): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text.length === 0 || text.length > max || CONTROL.test(text)) {
    throw new AppError('VALIDATION_FAILED', `${field} must be 1–${max} characters on one line`, { field, max });
  }
  return text;
}

/** A text of at most max characters (line breaks allowed), or VALIDATION_FAILED naming the field. */
export function optionalText(value: unknown, field: string, max: number): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string' || value.length > max || /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value)) {
    throw new AppError('VALIDATION_FAILED', `${field} must be at most ${max} characters`, { field, max });
  }
  return value.trim();
}

/** A file name that is safe to show and to put in Content-Disposition: no path, no control characters. */
export function cleanFileName(name: string | undefined, fallback: string): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const clean = base
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .replace(/^\.+/, '')
    .trim()
    .slice(0, LIMITS.documentName);
  return clean === '' ? fallback : clean;
}
