/**
 * Inkan's message catalog: one table per language, shared by the server (errors, mails, event labels,
 * verification wording) and the web UI, so that the same thing reads the same everywhere.
 */
export { ja, type MessageKey, type Messages } from './ja.ts';
export { en } from './en.ts';
export {
  CATALOGS,
  errorText,
  formatMessage,
  inBothLanguages,
  inBothLanguagesJoined,
  type InBothLanguages,
  isMessageKey,
  type ErrorDetails,
  type Language,
  type MessageVars,
} from './error-text.ts';
export { formatCalendarDate } from './format-date.ts';
