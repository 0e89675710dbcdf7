// Maps API errors to text in the UI language.
import { isMessageKey, translate, type Language } from '../i18n/translate.ts';
import { ApiError } from './client.ts';

/** A message for any thrown value: our table for known codes, else the server's text. */
export function errorMessage(language: Language, error: unknown): string {
  if (error instanceof ApiError) {
    // The server's VALIDATION_FAILED message names the field (and is already localised through
    // Accept-Language); for every other code our own wording is the clearer one.
    if (error.code === 'VALIDATION_FAILED' && error.message && error.message !== error.code) return error.message;
    const key = `error.${error.code}`;
    if (isMessageKey(key)) return translate(language, key);
    return error.message || translate(language, 'error.UNEXPECTED');
  }
  return translate(language, 'error.UNEXPECTED');
}
