// The message of an error code in a language, from the catalog: the server sends it in its error body and
// the UI shows the same text for the same code and details (one wording). The details choose a variant
// of the entry (`error.CODE.variant`) and fill its {placeholders}; no wording lives here.
import { en } from './en.ts';
import { ja, type MessageKey, type Messages } from './ja.ts';

/** The languages of the catalog. */
export type Language = 'ja' | 'en';
/** Values substituted for `{name}` placeholders. */
export type MessageVars = Record<string, string | number>;
/** An error's details as the server sends them (never secrets). */
export type ErrorDetails = Record<string, unknown> | undefined;

/** The catalog of each language. */
export const CATALOGS: Record<Language, Messages> = { ja, en };

/** Whether `key` is an entry of the catalog. */
export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(ja, key);
}

/** The entry `key` in `language` with its `{placeholders}` filled in (unknown ones stay visible). */
export function formatMessage(language: Language, key: MessageKey, vars?: MessageVars): string {
  const template = CATALOGS[language][key] ?? ja[key] ?? key;
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : whole,
  );
}

/** One text in Japanese and in English. */
export interface InBothLanguages {
  ja: string;
  en: string;
}

/**
 * The entry `key` in Japanese and in English, for texts that carry both ("Japanese, then English": a domain
 * error's wording, the bilingual mails, the certificate). `vars` may differ by language (a date written
 * the Japanese way in one, the ISO way in the other).
 */
export function inBothLanguages(
  key: MessageKey,
  vars?: MessageVars | ((language: Language) => MessageVars),
): InBothLanguages {
  const varsIn = (language: Language) => (typeof vars === 'function' ? vars(language) : vars);
  return { ja: formatMessage('ja', key, varsIn('ja')), en: formatMessage('en', key, varsIn('en')) };
}

/** The entry `key` as 「日本語 / English」 on one line (a button, a label of a bilingual mail or page). */
export function inBothLanguagesJoined(key: MessageKey, vars?: MessageVars, separator = ' / '): string {
  const { ja, en } = inBothLanguages(key, vars);
  return `${ja}${separator}${en}`;
}

const text = (d: ErrorDetails, name: string): string | undefined =>
  typeof d?.[name] === 'string' ? (d[name] as string) : undefined;
const count = (d: ErrorDetails, name: string): number | undefined =>
  typeof d?.[name] === 'number' ? (d[name] as number) : undefined;

/** One catalog entry chosen by an error's details, with its values. */
interface Choice {
  variant?: string;
  vars?: MessageVars;
}

/** `variant` with `{name: value}` when the detail is there, else the plain entry. */
function optional(variant: string, name: string, value: string | number | undefined): Choice {
  return value === undefined ? {} : { variant, vars: { [name]: value } };
}

const FORBIDDEN_REASONS = new Set(['personal-account', 'session-required', 'self', 'invitation-account']);

/** The sender of an expired claim, as 「organization name <email>」. */
function senderWords(d: ErrorDetails): string | undefined {
  const sender = d?.sender as { organization?: unknown; name?: unknown; email?: unknown } | undefined;
  if (!sender || typeof sender.organization !== 'string') return undefined;
  const name = typeof sender.name === 'string' ? ` ${sender.name}` : '';
  const email = typeof sender.email === 'string' ? ` <${sender.email}>` : '';
  return `${sender.organization}${name}${email}`;
}

/** The limit a PDF went over (details.limit, details.max), in words of the catalog. */
function limitWords(language: Language, d: ErrorDetails): string {
  const max = count(d, 'max');
  const limit = text(d, 'limit') ?? '';
  const vars: MessageVars = {
    count: max === undefined ? '' : max.toLocaleString('en-US'),
    mib: max === undefined ? '' : Math.round((max / 1048576) * 10) / 10,
    seconds: max === undefined ? '' : max / 1000,
  };
  const key = `error.PDF_TOO_COMPLEX.limit.${limit}`;
  return formatMessage(language, isMessageKey(key) ? key : 'error.PDF_TOO_COMPLEX.limit.other', vars);
}

/** Which entry of `code` the details choose, and the values it needs. */
function choose(language: Language, code: string, d: ErrorDetails): Choice {
  switch (code) {
    case 'VALIDATION_FAILED':
    case 'INVALID_AMOUNT':
    case 'INVALID_DATE':
    case 'FIELD_INVALID':
      return optional('field', 'field', text(d, 'field'));
    case 'ORDER_GAP':
      return optional('missing', 'missing', count(d, 'missing'));
    case 'INVALID_ACCESS_CODE_FORMAT':
      return optional('min', 'min', count(d, 'min'));
    case 'ACCESS_CODE_WRONG': {
      const remaining = count(d, 'remainingAttempts');
      if (remaining === 1) return { variant: 'remainingOne' };
      return optional('remaining', 'n', remaining);
    }
    case 'FORBIDDEN': {
      const reason = text(d, 'reason');
      return reason && FORBIDDEN_REASONS.has(reason) ? { variant: reason } : {};
    }
    case 'PASSWORD_TOO_SHORT': {
      const min = count(d, 'min') ?? 10;
      const max = count(d, 'max');
      if (max !== undefined) return { variant: 'range', vars: { min, max } };
      return optional('min', 'min', count(d, 'min'));
    }
    case 'IP_NOT_ALLOWED':
    case 'IP_LIST_LOCKOUT':
      return optional('address', 'address', text(d, 'address'));
    case 'SSO_DOMAIN_TAKEN':
    case 'SSO_DOMAIN_REFUSED':
      return { vars: { domain: text(d, 'domain') ?? '' } };
    case 'SSO_DOMAIN_RECORD_NOT_FOUND':
    case 'SSO_DOMAIN_RECORD_MISMATCH':
      return { vars: { name: text(d, 'name') ?? '' } };
    case 'SSO_DOMAIN_LOOKUP_FAILED':
      return { vars: { reason: text(d, 'reason') ?? '' } };
    case 'LAST_ADMIN':
      return optional('organization', 'organization', text(d, 'organization'));
    case 'API_KEY_SCOPE':
      return optional('scope', 'scope', text(d, 'scope'));
    case 'PAYLOAD_TOO_LARGE': {
      if (d?.field === 'logo') return { variant: 'logo' };
      const maxBytes = count(d, 'maxBytes');
      return optional('max', 'mb', maxBytes === undefined ? undefined : Math.floor(maxBytes / 1048576));
    }
    case 'UNSUPPORTED_MEDIA_TYPE':
      return d?.field === 'logo' ? { variant: 'logo' } : {};
    case 'PDF_INVALID':
    case 'PDF_ENCRYPTED':
      return optional('document', 'document', text(d, 'document'));
    case 'PDF_TOO_COMPLEX':
      return { vars: { limit: limitWords(language, d) } };
    case 'CLAIM_EXPIRED':
      return optional('sender', 'sender', senderWords(d));
    case 'FIELD_REQUIRED':
      return optional('label', 'label', text(d, 'label') || undefined);
    case 'IMAGE_INVALID':
      return optional('reason', 'reason', text(d, 'reason'));
    case 'SIGNING_CERTIFICATE_INVALID': {
      const key = `error.SIGNING_CERTIFICATE_INVALID.problem.${text(d, 'problem') ?? ''}`;
      const problem = isMessageKey(key) ? key : 'error.SIGNING_CERTIFICATE_INVALID.problem.PKCS12_INVALID';
      return { vars: { problem: formatMessage(language, problem) } };
    }
    case 'VERIFY_BUSY':
      return optional('retry', 'seconds', count(d, 'retryAfterSeconds'));
    default:
      return {};
  }
}

/**
 * The catalog's message for an error code with its details, or undefined when the catalog has no entry
 * for the code (a code newer than this build of the UI).
 */
export function errorText(language: Language, code: string, details?: ErrorDetails): string | undefined {
  const base = `error.${code}`;
  if (!isMessageKey(base)) return undefined;
  const choice = choose(language, code, details);
  const variant = choice.variant ? `${base}.${choice.variant}` : base;
  return formatMessage(language, isMessageKey(variant) ? variant : base, choice.vars);
}
