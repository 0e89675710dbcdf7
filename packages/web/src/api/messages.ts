// Maps API errors to text in the UI language: the catalog's entry for the code and its details, the same
// text the server sends (one wording, @inkan/core/messages).
import { errorText } from '@inkan/core/messages';
import { translate, type Language } from '../i18n/translate.ts';
import { ApiError } from './client.ts';

/** A message for any thrown value: the catalog's for known codes, else the server's text. */
export function errorMessage(language: Language, error: unknown): string {
  if (error instanceof ApiError) {
    // The server's VALIDATION_FAILED message names the field (and is already localised through
    // Accept-Language); for every other code the catalog renders the same entry in the UI's language.
    if (error.code === 'VALIDATION_FAILED' && error.message && error.message !== error.code) return error.message;
    return errorText(language, error.code, error.details) ?? (error.message || translate(language, 'error.UNEXPECTED'));
  }
  return translate(language, 'error.UNEXPECTED');
}
