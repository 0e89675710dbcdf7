import { AppError } from '../app-error.ts';

/** The thresholds (days before a deadline) when an organisation has not chosen: 60 and 14. */
export const DEFAULT_REMINDER_DAYS: readonly number[] = [60, 14];

/** The stored JSON of an organisation's thresholds, read back sorted descending and unique. */
export function parseReminderDays(json: string | null | undefined): number[] {
  if (!json) return [...DEFAULT_REMINDER_DAYS];
  try {
    const value = JSON.parse(json) as unknown;
    if (Array.isArray(value) && value.every((d) => Number.isInteger(d) && d >= 1 && d <= 365))
      return [...new Set(value as number[])].sort((a, b) => b - a);
  } catch {
    // fall through
  }
  throw new AppError('INTERNAL_ERROR', 'stored reminder days are not valid');
}

/** Adds days to a YYYY-MM-DD date. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86400_000).toISOString().slice(0, 10);
}

/** Whole days from one YYYY-MM-DD date to another. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86400_000);
}
