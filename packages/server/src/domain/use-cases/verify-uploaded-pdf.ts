import { createHash } from 'node:crypto';
import { verifyPdf, type RevocationProvider, type VerificationReport } from '@inkan/core';

/** What verifying an upload needs: the bytes (in memory only), this installation's roots, and the time. */
export interface VerifyUploadInput {
  bytes: Uint8Array;
  /** This Inkan's root certificate(s), DER: a chain that reaches one is trusted, anything else is not. */
  trustAnchors: readonly Uint8Array[];
  /** The validation time. */
  now: Date;
  /** Revocation data the file lacks: this installation's CA (and the certificates' URLs when the operator allows). */
  revocationProvider?: RevocationProvider;
  /** Told about an unexpected verifier failure (never given the file itself). */
  onUnexpectedError?: (error: unknown) => void;
}

/**
 * Verifies a PDF uploaded to the public verification page. The bytes are only read: nothing is written
 * to the database, the blob store or the log, so an upload leaves no trace of its content.
 */
export async function verifyUploadedPdf(input: VerifyUploadInput): Promise<VerificationReport> {
  try {
    return await verifyPdf(input.bytes, { trustAnchors: input.trustAnchors, at: input.now, revocationProvider: input.revocationProvider });
  } catch (error) {
    // verifyPdf reports bad input instead of throwing; should hostile input still break it, the user
    // gets "cannot be read" (never a 500 for their file) and the operator gets the error.
    input.onUnexpectedError?.(error);
    return {
      schemaVersion: 2,
      file: { size: input.bytes.length, sha256: createHash('sha256').update(input.bytes).digest('hex'), revisions: 0, pages: null },
      signatures: [],
      attacks: [],
      problems: ['VERIFY_FAILED: the verifier could not read this file'],
      exitCode: 2,
      summary: 'The file could not be verified.',
    };
  }
}
