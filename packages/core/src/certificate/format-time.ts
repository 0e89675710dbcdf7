/** Japan Standard Time is UTC+9 all year (no daylight saving). */
const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
const datePart = (d: Date): string =>
  `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
const timePart = (d: Date): string => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;

/**
 * `2026-11-25 18:04:05 JST (09:04:05 UTC)`. When the UTC date differs from the JST date (JST
 * 00:00–08:59), the UTC part carries its date too, so neither reading is ambiguous.
 */
export function formatJstUtc(date: Date): string {
  return `${formatJst(date)} ${formatUtcInParentheses(date)}`;
}

/** `2026-11-25 18:04:05 JST`. */
export function formatJst(date: Date): string {
  const jst = new Date(date.getTime() + JST_OFFSET_MS);
  return `${datePart(jst)} ${timePart(jst)} JST`;
}

/** `(09:04:05 UTC)`, or `(2026-11-24 18:04:05 UTC)` when the UTC date is not the JST date. */
export function formatUtcInParentheses(date: Date): string {
  const jst = new Date(date.getTime() + JST_OFFSET_MS);
  const sameDay = datePart(jst) === datePart(date);
  return `(${sameDay ? '' : `${datePart(date)} `}${timePart(date)} UTC)`;
}
