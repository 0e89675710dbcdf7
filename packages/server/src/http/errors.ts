/*
 * The ONE place where error codes become HTTP statuses and messages (Japanese or English, by the
 * request's Accept-Language; the wording is the catalog's, @inkan/core/messages, which the UI shows too). Domain code throws AppError; the signing core throws CoreError; Fastify
 * and its plugins throw their own errors: all of them leave here as
 * `{ "error": { "code", "message", "details"? } }`, and nothing else about an unexpected error leaks.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isCoreError } from '@inkan/core';
import { errorText, type ErrorDetails, type MessageKey } from '@inkan/core/messages';
import { AppError, type AppErrorCode } from '../domain/app-error.ts';

/** HTTP status of each stable code. */
export const STATUS_OF: Record<AppErrorCode, number> = {
  VALIDATION_FAILED: 400,
  INVALID_EMAIL: 400,
  ORDER_GAP: 400,
  RECIPIENT_IS_CC: 409,
  REMINDER_TOO_SOON: 429,
  INVALID_ACCESS_CODE_FORMAT: 400,
  NO_DOCUMENTS: 400,
  NO_RECIPIENTS: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  ACCESS_CODE_WRONG: 401,
  PASSWORD_TOO_SHORT: 400,
  PASSWORD_TOO_COMMON: 400,
  PASSWORD_WRONG: 403,
  FORBIDDEN: 403,
  CSRF_FAILED: 403,
  NOT_FOUND: 404,
  LINK_INVALID: 404,
  ENVELOPE_NOT_DRAFT: 409,
  ENVELOPE_NOT_ACTIVE: 409,
  ENVELOPE_STILL_ACTIVE: 409,
  ACCESS_CODE_SENDER_ONLY: 403,
  ACCESS_CODE_UNAVAILABLE: 409,
  JOB_NOT_FAILED: 409,
  NOT_YOUR_TURN: 409,
  ALREADY_SIGNED: 409,
  LINK_EXPIRED: 410,
  DOCUMENT_SHREDDED: 410,
  LEGAL_HOLD_EXISTS: 409,
  NO_LEGAL_HOLD: 409,
  INVALID_AMOUNT: 400,
  INVALID_DATE: 400,
  DATE_ORDER: 400,
  CLAIM_INVALID: 404,
  CLAIM_EXPIRED: 410,
  CLAIM_ALREADY_USED: 409,
  SIGNUP_LINK_EXPIRED: 410,
  RESET_LINK_EXPIRED: 410,
  EMAIL_LINK_EXPIRED: 410,
  EMAIL_TAKEN: 409,
  LAST_ADMIN: 409,
  ALREADY_MEMBER: 409,
  API_KEY_SCOPE: 403,
  SECOND_FACTOR_WRONG: 401,
  SECOND_FACTOR_EXPIRED: 410,
  MFA_ENROLMENT_REQUIRED: 403,
  STEP_UP_REQUIRED: 403,
  PASSKEY_FAILED: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PDF_INVALID: 422,
  PDF_ENCRYPTED: 422,
  PDF_TOO_COMPLEX: 422,
  ACCESS_CODE_LOCKED: 423,
  RATE_LIMITED: 429,
  IP_NOT_ALLOWED: 403,
  IP_LIST_LOCKOUT: 409,
  SSO_REQUIRED: 403,
  SSO_NOT_CONFIGURED: 404,
  SSO_FAILED: 400,
  SSO_ACCOUNT_REFUSED: 403,
  SSO_DOMAIN_TAKEN: 409,
  SSO_DOMAIN_REFUSED: 400,
  SSO_DOMAIN_RECORD_NOT_FOUND: 422,
  SSO_DOMAIN_RECORD_MISMATCH: 422,
  SSO_DOMAIN_LOOKUP_FAILED: 502,
  SSO_BREAK_GLASS_INVALID: 400,
  FIELD_INVALID: 400,
  FIELD_REQUIRED: 400,
  IMAGE_INVALID: 400,
  CONTACT_NOT_REGISTERED: 409,
  ACCESS_CODE_WEAK: 400,
  ACCESS_CODE_MISMATCH: 400,
  REGISTRATION_LINK_INVALID: 404,
  REGISTRATION_LINK_EXPIRED: 410,
  WEBHOOK_URL_INVALID: 400,
  WEBHOOK_TARGET_REFUSED: 400,
  WEBHOOK_LIMIT: 409,
  WEBHOOK_DELIVERY_PENDING: 409,
  SIGNING_CERTIFICATE_INVALID: 400,
  SIGNING_CERTIFICATE_PASSWORD: 400,
  SIGNING_CERTIFICATE_MISSING: 409,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
  VERIFY_BUSY: 503,
  APPROVAL_NOT_PENDING: 409,
  APPROVAL_NOT_YOUR_TURN: 403,
  APPROVAL_ALREADY_DECIDED: 409,
  APPROVAL_NOBODY_TO_REMIND: 409,
  BULK_TOO_MANY_ROWS: 400,
  BULK_NOTHING_TO_SEND: 400,
  ACCESS_CODE_REGISTERED: 409,
};

type Details = ErrorDetails;

/** Every stable code has its message in the catalog (a compile error names a code without one). */
type CodesWithoutMessage = Exclude<`error.${AppErrorCode}`, MessageKey>;
const everyCodeHasMessage: [CodesWithoutMessage] extends [never] ? true : CodesWithoutMessage = true;
void everyCodeHasMessage;

/** 'ja' when the request's Accept-Language prefers Japanese over English, else 'en'. */
export function preferredLanguage(acceptLanguage: string | undefined): 'ja' | 'en' {
  if (!acceptLanguage) return 'en';
  let best: { lang: 'ja' | 'en'; q: number } | undefined;
  for (const item of acceptLanguage.split(',')) {
    const [tag, ...params] = item.trim().toLowerCase().split(';');
    const q = Number(
      params
        .find((p) => p.trim().startsWith('q='))
        ?.trim()
        .slice(2) ?? '1',
    );
    const lang = tag.startsWith('ja') ? 'ja' : tag.startsWith('en') ? 'en' : undefined;
    if (lang && Number.isFinite(q) && q > 0 && (!best || q > best.q)) best = { lang, q };
  }
  return best?.lang ?? 'en';
}

/** The message of a code in a language. */
export function messageOf(code: AppErrorCode, language: 'ja' | 'en', details?: Details): string {
  return errorText(language, code, details) ?? code;
}

/** Sends the error body for a code. */
export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  code: AppErrorCode,
  details?: Details,
  domainMessage?: string,
  localized?: { ja: string; en: string },
): FastifyReply {
  const language = preferredLanguage(request.headers['accept-language']);
  // The domain's own (English) sentence says exactly what is wrong with an input; the generic one does not.
  const message = localized
    ? localized[language]
    : language === 'en' && code === 'VALIDATION_FAILED' && domainMessage
      ? `${domainMessage}.`
      : messageOf(code, language, details);
  const body: { error: { code: AppErrorCode; message: string; details?: Details } } = { error: { code, message } };
  // A caller told to wait (a full verification queue) learns how long, the standard way too.
  if (typeof details?.retryAfterSeconds === 'number') reply.header('retry-after', String(details.retryAfterSeconds));
  if (details && Object.keys(details).length > 0) body.error.details = details;
  return reply.code(STATUS_OF[code]).type('application/json; charset=utf-8').send(body);
}

/** Fastify's and its plugins' own errors, by code, as ours. */
const FRAMEWORK_CODES: Record<string, AppErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_REQ_FILE_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_FILES_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_PARTS_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_FIELDS_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_PROTO_VIOLATION: 'VALIDATION_FAILED',
  FST_INVALID_JSON_FIELD_ERROR: 'VALIDATION_FAILED',
  FST_MP_PREMATURE_CLOSE: 'VALIDATION_FAILED',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'VALIDATION_FAILED',
  FST_ERR_CTP_INVALID_JSON_BODY: 'VALIDATION_FAILED',
  FST_ERR_VALIDATION: 'VALIDATION_FAILED',
};

/** The app's error handler: every thrown error becomes a stable code. */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof AppError)
    return sendError(request, reply, error.code, error.details, error.message, error.localized);
  // A blob whose data key the retention job destroyed (a read that no use case checked before).
  if (error instanceof Error && error.name === 'BlobError' && (error as { code?: unknown }).code === 'BLOB_SHREDDED')
    return sendError(request, reply, 'DOCUMENT_SHREDDED');
  if (isCoreError(error)) {
    if (error.code === 'PDF_ENCRYPTED') return sendError(request, reply, 'PDF_ENCRYPTED');
    if (error.code === 'PDF_TOO_COMPLEX') return sendError(request, reply, 'PDF_TOO_COMPLEX', error.details);
    if (error.code.startsWith('PDF_')) return sendError(request, reply, 'PDF_INVALID', { reason: error.code });
    if (error.code === 'FIELD_INVALID') return sendError(request, reply, 'FIELD_INVALID');
    if (error.code === 'IMAGE_INVALID') return sendError(request, reply, 'IMAGE_INVALID', { reason: error.message });
  }
  const fastifyError = error as Partial<FastifyError>;
  const mapped = typeof fastifyError.code === 'string' ? FRAMEWORK_CODES[fastifyError.code] : undefined;
  if (mapped) return sendError(request, reply, mapped);
  const status = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
  if (status === 429) return sendError(request, reply, 'RATE_LIMITED');
  if (status === 413) return sendError(request, reply, 'PAYLOAD_TOO_LARGE');
  if (status === 415) return sendError(request, reply, 'UNSUPPORTED_MEDIA_TYPE');
  if (status === 404) return sendError(request, reply, 'NOT_FOUND');
  if (status >= 400 && status < 500) return sendError(request, reply, 'VALIDATION_FAILED');
  // Unexpected: logged with its stack, answered without details.
  request.log.error({ err: error }, 'unhandled error');
  return sendError(request, reply, 'INTERNAL_ERROR');
}
