// Language choice and string lookup, free of React so that the API client can use it too.
import { formatMessage, type Language, type MessageKey, type MessageVars } from '@inkan/core/messages';

export type { Language, MessageKey, MessageVars };
export { isMessageKey } from '@inkan/core/messages';

const STORAGE_KEY = 'inkan.language';

/** The language the user picked earlier on this browser, if any. */
export function storedLanguage(): Language | null {
  try {
    const value = window.localStorage.getItem(STORAGE_KEY);
    return value === 'ja' || value === 'en' ? value : null;
  } catch {
    // Storage can be disabled (private mode, policies): fall back to the default.
    return null;
  }
}

/** Remembers the user's language on this browser. */
export function storeLanguage(language: Language): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Not fatal: the choice then lasts for this page only.
  }
}

/** The string for `key` in `language` with `{placeholders}` filled in. */
export function translate(language: Language, key: MessageKey, vars?: MessageVars): string {
  return formatMessage(language, key, vars);
}

/** The Accept-Language header value that puts the UI language first. */
export function acceptLanguage(language: Language): string {
  return language === 'ja' ? 'ja, en;q=0.5' : 'en, ja;q=0.5';
}

/** Formats an ISO time for people, in the UI language and the browser's time zone. */
export function formatDateTime(language: Language, iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  return new Intl.DateTimeFormat(language === 'ja' ? 'ja-JP' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(date);
}

/** Formats an ISO time as a date only. */
export function formatDate(language: Language, iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  return new Intl.DateTimeFormat(language === 'ja' ? 'ja-JP' : 'en-GB', { dateStyle: 'medium' }).format(date);
}
