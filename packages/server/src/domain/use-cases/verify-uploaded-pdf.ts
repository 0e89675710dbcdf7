import { createHash } from 'node:crypto';
import { isCoreError, type VerificationReport } from '@inkan/core';
import { AppError } from '../app-error.ts';
import { VerifierBusyError, VerifierFailedError, type PdfVerifier } from '../../ports/pdf-verifier.ts';

/** What verifying an upload needs: the verifier, the bytes (in memory only), this installation's roots, and the time. */
export interface VerifyUploadInput {
  /** Verifies away from the event loop, within limits (the worker pool). */
  verifier: PdfVerifier;
  /** The upload; handed over to the verifier (not to be used afterwards). */
  bytes: Uint8Array;
  /** This Inkan's root certificate(s), DER: a chain that reaches one is trusted, anything else is not. */
  trustAnchors: readonly Uint8Array[];
  /** The validation time. */
  now: Date;
  /** Revocation data the file lacks, fetched beforehand: this installation's current CRLs. */
  revocationData?: { crls: Uint8Array[]; ocsp: Uint8Array[] };
  /** Whether the verifier may also ask the OCSP/CRL URLs in the certificates (INKAN_VERIFY_ONLINE). */
  online?: boolean;
  /** Told about an unexpected verifier failure (never given the file itself). */
  onUnexpectedError?: (error: unknown) => void;
}

/**
 * Verifies a PDF uploaded to the public verification page. The bytes are only read: nothing is written
 * to the database, the blob store or the log, so an upload leaves no trace of its content. A file over
 * a resource limit is refused (PDF_TOO_COMPLEX, naming the limit); a full queue is VERIFY_BUSY.
 */
export async function verifyUploadedPdf(input: VerifyUploadInput): Promise<VerificationReport> {
  const size = input.bytes.length;
  try {
    return await input.verifier.verify({
      bytes: input.bytes,
      trustAnchors: input.trustAnchors,
      now: input.now,
      revocationData: input.revocationData,
      online: input.online,
    });
  } catch (error) {
    if (isCoreError(error, 'PDF_TOO_COMPLEX')) throw new AppError('PDF_TOO_COMPLEX', error.message, error.details);
    if (error instanceof VerifierBusyError)
      throw new AppError('VERIFY_BUSY', error.message, { retryAfterSeconds: error.retryAfterSeconds });
    // verifyPdf reports bad input instead of throwing; should hostile input still break it, the user
    // gets "cannot be read" (never a 500 for their file) and the operator gets the error.
    input.onUnexpectedError?.(error);
    const file =
      error instanceof VerifierFailedError
        ? error.file
        : { size, sha256: input.bytes.length === size ? createHash('sha256').update(input.bytes).digest('hex') : '' };
    return {
      schemaVersion: 2,
      file: { ...file, revisions: 0, pages: null },
      signatures: [],
      attacks: [],
      problems: ['VERIFY_FAILED: the verifier could not read this file'],
      exitCode: 2,
      summary: 'The file could not be verified.',
    };
  }
}
