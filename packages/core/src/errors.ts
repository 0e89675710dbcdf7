/** Stable error codes of the signing core. Callers map them to messages and HTTP statuses. */
export type CoreErrorCode =
  | 'PDF_NOT_A_PDF'
  | 'PDF_TRUNCATED'
  | 'PDF_ENCRYPTED'
  | 'PDF_BROKEN_XREF'
  | 'PDF_NO_PAGES'
  | 'PDF_MALFORMED'
  | 'PDF_UNSUPPORTED'
  | 'PDF_SIGNATURE_TOO_LARGE'
  | 'PDF_TOO_COMPLEX'
  | 'TSA_UNAVAILABLE'
  | 'TSA_BAD_RESPONSE'
  | 'TSA_REJECTED'
  | 'OCSP_BAD_REQUEST'
  | 'OCSP_BAD_RESPONSE'
  | 'PKI_NOT_INITIALISED'
  | 'PKI_BAD_MASTER_KEY'
  | 'PKI_INVALID'
  | 'PKI_UNKNOWN_CERTIFICATE'
  | 'SIGNER_FAILED'
  | 'PKCS11_ERROR'
  | 'CMS_INVALID'
  | 'FONT_UNAVAILABLE'
  | 'FONT_GLYPH_MISSING'
  | 'CERTIFICATE_INVALID_DATA'
  | 'IMAGE_INVALID'
  | 'FIELD_INVALID'
  | 'PKCS12_INVALID'
  | 'PKCS12_BAD_PASSWORD'
  | 'PKCS12_UNSUPPORTED'
  | 'SIGNING_CREDENTIAL_INVALID';

/** An error of the signing core with a stable code; `details` never holds secrets. */
export class CoreError extends Error {
  readonly code: CoreErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(code: CoreErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CoreError';
    this.code = code;
    this.details = options?.details;
  }
}

export function isCoreError(error: unknown, code?: CoreErrorCode): error is CoreError {
  return error instanceof CoreError && (code === undefined || error.code === code);
}
