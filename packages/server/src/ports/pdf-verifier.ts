import type { VerificationReport } from '@inkan/core';

/** What one verification needs: the bytes (in memory only), the trust anchors and the time. */
export interface VerifyRequest {
  /** The PDF; the verifier may take the memory over (the caller must not use the bytes afterwards). */
  bytes: Uint8Array;
  trustAnchors: readonly Uint8Array[];
  now: Date;
  /** Revocation data the file lacks, fetched beforehand (the installation's current CRLs). */
  revocationData?: { crls: Uint8Array[]; ocsp: Uint8Array[] };
  /** Whether the OCSP/CRL URLs in the certificates may be asked. */
  online?: boolean;
}

/**
 * Verifies PDFs away from the HTTP event loop, within resource limits. Rejects with CoreError
 * PDF_TOO_COMPLEX (details.limit names the limit: a file limit, `memory` or `time`), with
 * VerifierBusyError when no more uploads may wait, or with VerifierFailedError.
 */
export interface PdfVerifier {
  verify(request: VerifyRequest): Promise<VerificationReport>;
  /** Stops the workers; verifications in progress are rejected. */
  close(): Promise<void>;
}

/** Every worker is busy and the queue is full: ask again later. */
export class VerifierBusyError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('every verification worker is busy and the queue is full');
    this.name = 'VerifierBusyError';
  }
}

/** The verifier failed on a file for a reason no check foresaw (a bug, not the file's fault alone). */
export class VerifierFailedError extends Error {
  constructor(
    message: string,
    readonly file: { size: number; sha256: string },
  ) {
    super(message);
    this.name = 'VerifierFailedError';
  }
}
