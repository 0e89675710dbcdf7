/** A blob that is missing, fails authentication (tampered, truncated, wrong master key) or was shredded. */
export class BlobError extends Error {
  constructor(
    readonly code: 'BLOB_NOT_FOUND' | 'BLOB_CORRUPT' | 'BLOB_BAD_KEY' | 'BLOB_SHREDDED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BlobError';
  }
}
