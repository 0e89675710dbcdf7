import { isCoreError } from '@inkan/core';
import { AppError } from './app-error.ts';

/** An uploaded PDF's read failure as the user's error: encrypted → PDF_ENCRYPTED, over a decode limit → PDF_TOO_COMPLEX, anything else → PDF_INVALID. */
export function pdfAppError(error: unknown, name: string, details: Record<string, unknown>): AppError {
  if (error instanceof AppError) return error;
  if (isCoreError(error, 'PDF_ENCRYPTED'))
    return new AppError('PDF_ENCRYPTED', `${name} is encrypted or password-protected`, {
      ...details,
      reason: error.code,
    });
  if (isCoreError(error, 'PDF_TOO_COMPLEX'))
    return new AppError('PDF_TOO_COMPLEX', `${name}: ${error.message}`, { ...details, ...error.details });
  if (isCoreError(error))
    return new AppError('PDF_INVALID', `${name} is not a readable PDF (${error.message})`, {
      ...details,
      reason: error.code,
    });
  return new AppError('PDF_INVALID', `${name} is not a readable PDF`, { ...details, reason: 'PDF_MALFORMED' });
}
