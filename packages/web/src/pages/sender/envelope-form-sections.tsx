// The sections shared by the envelope forms (新規作成, 下書きの編集) and the template editor: the page head,
// 基本情報 (name, message, expiry), a document row, and 宛先 (recipient cards in signing order with move,
// remove and add), with the field-error helpers they all use. Kept here so that each page holds only
// what differs: how it loads, validates and saves.
import { useId, type ReactNode } from 'react';
import type { Language, RecipientAuth } from '../../api/types.ts';
import { ContactPicker, RegisteredCodeNote } from '../../components/contact-picker.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import type { MessageKey } from '../../i18n/translate.ts';
import { ACCESS_CODE_PATTERN, generateAccessCode, looksLikeEmail } from '../../lib/access-code.ts';
import { Link } from '../../lib/use-location.tsx';
import { hasSignerAbove, OrderBadge, RecipientFlowFields, signingOrders, type FlowDraft } from './recipient-flow.tsx';

export interface DraftRecipient extends FlowDraft {
  key: number;
  name: string;
  email: string;
  auth: RecipientAuth;
  accessCode: string;
  language: Language;
  /** A contact of the address book whose registered code this recipient uses (登録済みアクセスコード). */
  contactId: string | null;
}

/** Field errors, keyed like `name`, `documents`, `recipients`, `r{key}.email`. */
export type FieldErrors = Record<string, string>;

let nextKey = 1;
/** A fresh key for a list item of a form (recipients, files). */
export const nextFormKey = (): number => nextKey++;

export const newRecipient = (language: Language): DraftRecipient => ({
  key: nextFormKey(),
  name: '',
  email: '',
  auth: 'access_code',
  accessCode: '',
  language,
  contactId: null,
  role: 'signer',
  withPrevious: false,
});

export function todayIso(): string {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}

export function isPdf(file: File): boolean {
  return file.type === 'application/pdf' || file.name.toLowerCase().endsWith('.pdf');
}

/** The end of the chosen day in the sender's time zone, as the API's expiresAt. */
export const expiryOf = (day: string): string => new Date(`${day}T23:59:59`).toISOString();

/** The aria-describedby and error paragraph helpers of a form's field errors. */
export function fieldErrorHelpers(errors: FieldErrors) {
  const describedBy = (field: string, hintId?: string) =>
    [errors[field] ? `${field}-error` : null, hintId ?? null].filter(Boolean).join(' ') || undefined;
  const fieldError = (field: string) =>
    errors[field] ? (
      <p id={`${field}-error`} className="field__error">
        {errors[field]}
      </p>
    ) : null;
  return { describedBy, fieldError };
}

/**
 * Checks the recipients of a form: a name, an e-mail address, and a 4–8 digit code for a signer checked
 * by access code — unless `codeMayBeEmpty` says the server keeps (or makes) one for that recipient.
 */
export function recipientErrors<R extends DraftRecipient>(
  recipients: readonly R[],
  t: (key: MessageKey) => string,
  codeMayBeEmpty: (r: R) => boolean,
): FieldErrors {
  const found: FieldErrors = {};
  for (const r of recipients) {
    if (!r.name.trim()) found[`r${r.key}.name`] = t('new.v.recipientName');
    if (!looksLikeEmail(r.email.trim())) found[`r${r.key}.email`] = t('new.v.email');
    const empty = r.accessCode === '';
    if (
      r.role === 'signer' &&
      r.auth === 'access_code' &&
      !(empty && codeMayBeEmpty(r)) &&
      !ACCESS_CODE_PATTERN.test(r.accessCode)
    )
      found[`r${r.key}.accessCode`] = t('new.v.accessCode');
  }
  return found;
}

/** The back link and title of a form page. */
export function FormPageHead({ backHref, backLabel, title }: { backHref: string; backLabel: string; title: string }) {
  return (
    <div className="page-head">
      <div>
        <Link href={backHref} className="back-link">
          <span aria-hidden="true">←</span> {backLabel}
        </Link>
        <h1 className="page-title">{title}</h1>
      </div>
    </div>
  );
}

/** 基本情報: the name, the message and the expiry date of an envelope. */
export function BasicsSection({
  titleId,
  name,
  onName,
  message,
  onMessage,
  expiresOn,
  onExpiresOn,
  errors,
  withHints,
}: {
  titleId: string;
  name: string;
  onName: (value: string) => void;
  message: string;
  onMessage: (value: string) => void;
  expiresOn: string;
  onExpiresOn: (value: string) => void;
  errors: FieldErrors;
  /** The create form explains the message and the expiry; the edit form does not repeat it. */
  withHints: boolean;
}) {
  const { t } = useI18n();
  const ids = { name: useId(), message: useId(), expires: useId() };
  const { describedBy, fieldError } = fieldErrorHelpers(errors);
  return (
    <section className="card" aria-labelledby={titleId}>
      <h2 id={titleId} className="section-title">
        {t('new.basics')}
      </h2>
      <div className="field">
        <label htmlFor={ids.name} className="field__label">
          {t('new.name')} <span className="tag tag--required">{t('common.required')}</span>
        </label>
        <input
          id={ids.name}
          data-field="name"
          className="input"
          value={name}
          maxLength={200}
          placeholder={withHints ? t('new.namePlaceholder') : undefined}
          onChange={(event) => onName(event.target.value)}
          aria-invalid={errors['name'] ? true : undefined}
          aria-describedby={describedBy('name')}
        />
        {fieldError('name')}
      </div>
      <div className="field">
        <label htmlFor={ids.message} className="field__label">
          {t('new.message')} <span className="tag">{t('common.optional')}</span>
        </label>
        <textarea
          id={ids.message}
          className="input textarea"
          rows={3}
          maxLength={2000}
          value={message}
          onChange={(event) => onMessage(event.target.value)}
          aria-describedby={withHints ? `${ids.message}-hint` : undefined}
        />
        {withHints && (
          <p id={`${ids.message}-hint`} className="field__hint">
            {t('new.messageHint')}
          </p>
        )}
      </div>
      <div className="field field--short">
        <label htmlFor={ids.expires} className="field__label">
          {t('new.expiresAt')} <span className="tag">{t('common.optional')}</span>
        </label>
        <input
          id={ids.expires}
          data-field="expiresAt"
          className="input"
          type="date"
          min={todayIso()}
          value={expiresOn}
          onChange={(event) => onExpiresOn(event.target.value)}
          aria-invalid={errors['expiresAt'] ? true : undefined}
          aria-describedby={describedBy('expiresAt', withHints ? `${ids.expires}-hint` : undefined)}
        />
        {withHints && (
          <p id={`${ids.expires}-hint`} className="field__hint">
            {t('new.expiresHint')}
          </p>
        )}
        {fieldError('expiresAt')}
      </div>
    </section>
  );
}

/** One PDF of a document list, with its remove button. */
export function DocumentRow({
  name,
  meta,
  wrap,
  disabled,
  busy,
  onRemove,
}: {
  name: string;
  meta: string;
  wrap?: boolean;
  disabled: boolean;
  busy?: boolean;
  onRemove?: () => void;
}) {
  const { t } = useI18n();
  return (
    <li className="doc-list__item">
      <span className="doc-list__icon" aria-hidden="true">
        PDF
      </span>
      <span className="doc-list__body">
        <span className={`doc-list__name${wrap ? ' doc-list__name--wrap' : ''}`}>{name}</span>
        <span className="doc-list__meta">{meta}</span>
      </span>
      {onRemove && (
        <button
          type="button"
          className="btn btn--ghost btn--small btn--danger-text"
          disabled={disabled}
          aria-busy={busy}
          onClick={onRemove}
          aria-label={t('new.removeDocument', { name })}
        >
          {t('new.remove')}
        </button>
      )}
    </li>
  );
}

/** 宛先: the recipient cards in signing order (move, remove) and 宛先を追加. */
export function RecipientsSection<R extends DraftRecipient>({
  titleId,
  required,
  hint,
  recipients,
  setRecipients,
  errors,
  disabled,
}: {
  titleId: string;
  required: boolean;
  hint: ReactNode;
  recipients: R[];
  setRecipients: (update: (current: R[]) => R[]) => void;
  errors: FieldErrors;
  disabled: boolean;
}) {
  const { t, language } = useI18n();
  const { describedBy, fieldError } = fieldErrorHelpers(errors);
  const orders = signingOrders(recipients);
  return (
    <section className="card" aria-labelledby={titleId}>
      <h2 id={titleId} className="section-title">
        {t('new.recipients')} {required && <span className="tag tag--required">{t('common.required')}</span>}
      </h2>
      <p className="muted small">{hint}</p>
      {fieldError('recipients')}
      <ol className="recipient-list">
        {recipients.map((r, index) => (
          <RecipientEditor
            key={r.key}
            recipient={r}
            index={index}
            count={recipients.length}
            order={orders[index] ?? null}
            canBeParallel={hasSignerAbove(recipients, index)}
            errors={errors}
            disabled={disabled}
            onChange={(patch) =>
              setRecipients((current) => current.map((x) => (x.key === r.key ? { ...x, ...patch } : x)))
            }
            onMove={(delta) =>
              setRecipients((current) => {
                const target = index + delta;
                if (target < 0 || target >= current.length) return current;
                const next = [...current];
                [next[index], next[target]] = [next[target]!, next[index]!];
                return next;
              })
            }
            onRemove={() => setRecipients((current) => current.filter((x) => x.key !== r.key))}
            describedBy={describedBy}
            fieldError={fieldError}
          />
        ))}
      </ol>
      <button
        type="button"
        className="btn btn--secondary"
        onClick={() => setRecipients((current) => [...current, newRecipient(language) as R])}
        disabled={disabled}
      >
        <span aria-hidden="true">＋</span> {t('new.addRecipient')}
      </button>
    </section>
  );
}

/** One recipient's card: name, e-mail, identity check, language, access code; move and remove. */
export function RecipientEditor({
  recipient: r,
  index,
  count,
  order,
  canBeParallel,
  errors,
  disabled,
  onChange,
  onMove,
  onRemove,
  describedBy,
  fieldError,
}: {
  recipient: DraftRecipient;
  index: number;
  count: number;
  order: number | null;
  canBeParallel: boolean;
  errors: FieldErrors;
  disabled: boolean;
  onChange: (patch: Partial<DraftRecipient>) => void;
  onMove: (delta: -1 | 1) => void;
  onRemove: () => void;
  describedBy: (field: string, hintId?: string) => string | undefined;
  fieldError: (field: string) => ReactNode;
}) {
  const { t } = useI18n();
  const n = index + 1;
  const id = (field: string) => `r${r.key}-${field}`;
  const key = (field: string) => `r${r.key}.${field}`;
  return (
    <li className="recipient-card" aria-labelledby={id('title')}>
      <div className="recipient-card__head">
        <h3 id={id('title')} className="recipient-card__title">
          <OrderBadge order={order} />
          {order === null ? t('flow.ccN', { n }) : t('new.recipientN', { n })}
        </h3>
        <div className="recipient-card__tools">
          <button
            type="button"
            className="btn btn--ghost btn--small"
            onClick={() => onMove(-1)}
            disabled={disabled || index === 0}
            aria-label={t('new.recipient.moveUpLabel', { n })}
          >
            <span aria-hidden="true">↑</span> {t('new.recipient.moveUp')}
          </button>
          <button
            type="button"
            className="btn btn--ghost btn--small"
            onClick={() => onMove(1)}
            disabled={disabled || index === count - 1}
            aria-label={t('new.recipient.moveDownLabel', { n })}
          >
            <span aria-hidden="true">↓</span> {t('new.recipient.moveDown')}
          </button>
          <button
            type="button"
            className="btn btn--ghost btn--small btn--danger-text"
            onClick={onRemove}
            disabled={disabled || count === 1}
            aria-label={t('new.recipient.removeLabel', { n })}
          >
            {t('new.remove')}
          </button>
        </div>
      </div>
      <ContactPicker
        label={t('picker.label')}
        disabled={disabled}
        onPick={(picked) =>
          onChange({
            name: picked.name,
            email: picked.email,
            contactId: picked.contactId,
            ...(picked.contactId ? { auth: 'access_code' as const, accessCode: '' } : {}),
            ...(picked.language ? { language: picked.language } : {}),
          })
        }
      />
      <div className="grid grid--2">
        <RecipientFlowFields draft={r} canBeParallel={canBeParallel} onChange={onChange} />
        <div className="field">
          <label htmlFor={id('name')} className="field__label">
            {t('new.recipient.name')}
          </label>
          <input
            id={id('name')}
            data-field={key('name')}
            className="input"
            autoComplete="off"
            value={r.name}
            maxLength={200}
            onChange={(event) => onChange({ name: event.target.value })}
            aria-invalid={errors[key('name')] ? true : undefined}
            aria-describedby={describedBy(key('name'))}
          />
          {fieldError(key('name'))}
        </div>
        <div className="field">
          <label htmlFor={id('email')} className="field__label">
            {t('new.recipient.email')}
          </label>
          <input
            id={id('email')}
            data-field={key('email')}
            className="input"
            type="email"
            autoComplete="off"
            value={r.email}
            readOnly={r.contactId !== null}
            maxLength={320}
            onChange={(event) => onChange({ email: event.target.value })}
            aria-invalid={errors[key('email')] ? true : undefined}
            aria-describedby={describedBy(key('email'))}
          />
          {fieldError(key('email'))}
        </div>
        {r.role === 'signer' && (
          <div className="field">
            <label htmlFor={id('auth')} className="field__label">
              {t('new.recipient.auth')}
            </label>
            <select
              id={id('auth')}
              className="input select"
              value={r.auth}
              disabled={r.contactId !== null}
              onChange={(event) => onChange({ auth: event.target.value as RecipientAuth })}
            >
              <option value="access_code">{t('new.recipient.auth.access_code')}</option>
              <option value="login">{t('new.recipient.auth.login')}</option>
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor={id('language')} className="field__label">
            {t('new.recipient.language')}
          </label>
          <select
            id={id('language')}
            className="input select"
            value={r.language}
            onChange={(event) => onChange({ language: event.target.value as Language })}
          >
            <option value="ja">{t('lang.ja')}</option>
            <option value="en">{t('lang.en')}</option>
          </select>
        </div>
        {r.contactId && (
          <div className="field field--span">
            <RegisteredCodeNote disabled={disabled} onClear={() => onChange({ contactId: null })} />
          </div>
        )}
        {r.role === 'signer' && r.auth === 'access_code' && !r.contactId && (
          <div className="field field--span">
            <label htmlFor={id('code')} className="field__label">
              {t('new.recipient.accessCode')}
            </label>
            <div className="input-group">
              <input
                id={id('code')}
                data-field={key('accessCode')}
                className="input input--code-small"
                inputMode="numeric"
                autoComplete="off"
                maxLength={8}
                value={r.accessCode}
                onChange={(event) =>
                  onChange({
                    accessCode: event.target.value
                      .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
                      .replace(/\D/g, ''),
                  })
                }
                aria-invalid={errors[key('accessCode')] ? true : undefined}
                aria-describedby={describedBy(key('accessCode'), id('code-hint'))}
              />
              <button
                type="button"
                className="btn btn--secondary"
                onClick={() => onChange({ accessCode: generateAccessCode() })}
                aria-label={t('new.recipient.generateLabel', { n })}
              >
                {t('new.recipient.generate')}
              </button>
            </div>
            <p id={id('code-hint')} className="field__hint">
              {t('new.recipient.accessCodeHint')}
            </p>
            {fieldError(key('accessCode'))}
          </div>
        )}
      </div>
    </li>
  );
}
