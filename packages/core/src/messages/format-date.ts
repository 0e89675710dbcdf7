// A calendar date in the catalog's words: 2026年12月6日 in Japanese, 2026-12-06 in English.
import { formatMessage, type Language } from './error-text.ts';

/** The date `year`-`month`-`day` (month 1–12) as the catalog writes it (`common.date`). */
export function formatCalendarDate(
  language: Language,
  year: number | string,
  month: number | string,
  day: number | string,
): string {
  const two = (value: number | string) => String(value).padStart(2, '0');
  return language === 'ja'
    ? formatMessage('ja', 'common.date', { year: Number(year), month: Number(month), day: Number(day) })
    : formatMessage('en', 'common.date', { year: String(year), month: two(month), day: two(day) });
}
