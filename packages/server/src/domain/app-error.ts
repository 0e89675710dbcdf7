/** Stable error codes of the service; the HTTP layer maps them to statuses and messages (ja/en). */
export type AppErrorCode =
  | 'VALIDATION_FAILED'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'CSRF_FAILED'
  | 'RATE_LIMITED'
  | 'JOB_NOT_FAILED'
  | 'PAYLOAD_TOO_LARGE'
  | 'PDF_INVALID'
  | 'PDF_ENCRYPTED'
  | 'PDF_TOO_COMPLEX'
  | 'VERIFY_BUSY'
  | 'NO_DOCUMENTS'
  | 'NO_RECIPIENTS'
  | 'INVALID_EMAIL'
  | 'DUPLICATE_ORDER'
  | 'INVALID_ACCESS_CODE_FORMAT'
  | 'ACCESS_CODE_WRONG'
  | 'ACCESS_CODE_LOCKED'
  | 'LINK_INVALID'
  | 'LINK_EXPIRED'
  | 'ENVELOPE_NOT_DRAFT'
  | 'ENVELOPE_NOT_ACTIVE'
  | 'NOT_YOUR_TURN'
  | 'ALREADY_SIGNED'
  | 'INVALID_CREDENTIALS'
  | 'PASSWORD_TOO_SHORT'
  | 'PASSWORD_TOO_COMMON'
  | 'PASSWORD_WRONG'
  | 'SIGNUP_LINK_EXPIRED'
  | 'RESET_LINK_EXPIRED'
  | 'EMAIL_LINK_EXPIRED'
  | 'EMAIL_TAKEN'
  | 'LAST_ADMIN'
  | 'ALREADY_MEMBER'
  | 'API_KEY_SCOPE'
  | 'SECOND_FACTOR_WRONG'
  | 'SECOND_FACTOR_EXPIRED'
  | 'MFA_ENROLMENT_REQUIRED'
  | 'STEP_UP_REQUIRED'
  | 'PASSKEY_FAILED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'INVALID_AMOUNT'
  | 'INVALID_DATE'
  | 'DATE_ORDER'
  | 'CLAIM_INVALID'
  | 'CLAIM_EXPIRED'
  | 'CLAIM_ALREADY_USED'
  | 'IP_NOT_ALLOWED'
  | 'IP_LIST_LOCKOUT'
  | 'SSO_REQUIRED'
  | 'SSO_NOT_CONFIGURED'
  | 'SSO_FAILED'
  | 'SSO_ACCOUNT_REFUSED'
  | 'SSO_DOMAIN_TAKEN'
  | 'SSO_DOMAIN_REFUSED'
  | 'SSO_DOMAIN_RECORD_NOT_FOUND'
  | 'SSO_DOMAIN_RECORD_MISMATCH'
  | 'SSO_DOMAIN_LOOKUP_FAILED'
  | 'SSO_BREAK_GLASS_INVALID'
  | 'FIELD_INVALID'
  | 'FIELD_REQUIRED'
  | 'IMAGE_INVALID'
  | 'INTERNAL_ERROR'
  | 'SERVICE_UNAVAILABLE';

/**
 * A failure the user can understand; `details` never holds secrets. `localized` replaces the code's
 * catalogue message when the domain knows a more exact sentence in both languages (a parser's refusal).
 */
export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly localized?: { ja: string; en: string },
  ) {
    super(message);
    this.name = 'AppError';
  }
}
