// Formatting for the verification page: times to the second with their zone, and file sizes.
import type { Language } from '../../i18n/translate.ts';

/** A time to the second with the time zone (seconds matter when comparing with a printed certificate). */
export function formatInstant(language: Language, iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  return new Intl.DateTimeFormat(language === 'ja' ? 'ja-JP' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'long',
  }).format(date);
}

/** A byte count as KB or MB. */
export function formatBytes(language: Language, bytes: number): string {
  const locale = language === 'ja' ? 'ja-JP' : 'en-GB';
  if (bytes < 1024) return new Intl.NumberFormat(locale, { style: 'unit', unit: 'byte' }).format(bytes);
  const megabytes = bytes >= 1024 * 1024;
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: megabytes ? 'megabyte' : 'kilobyte',
    maximumFractionDigits: 1,
  }).format(bytes / (megabytes ? 1024 * 1024 : 1024));
}
