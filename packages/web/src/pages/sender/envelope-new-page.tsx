// /envelopes/new: name, message, PDFs (drag and drop or picker, upload progress), recipients in
// signing order, expiry; 下書き保存 creates a draft, 送信内容の確認 creates it and opens the review screen.
import { useId, useRef, useState, type DragEvent, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../../api/client.ts';
import { errorMessage } from '../../api/messages.ts';
import { hasSignerAbove, OrderBadge, RecipientFlowFields, signingOrders, type FlowDraft } from './recipient-flow.tsx';
import type { Envelope, EnvelopeDraft, Language, RecipientAuth } from '../../api/types.ts';
import { uploadMultipart } from '../../api/upload.ts';
import { Alert } from '../../components/alert.tsx';
import { ContactPicker, RegisteredCodeNote } from '../../components/contact-picker.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { ACCESS_CODE_PATTERN, generateAccessCode, looksLikeEmail } from '../../lib/access-code.ts';
import { navigate } from '../../lib/router.ts';
import { Link } from '../../lib/use-location.tsx';
import { SenderShell } from './sender-session.tsx';

interface DraftFile {
  key: number;
  file: File;
}

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
export const newRecipient = (language: Language): DraftRecipient => ({
  key: nextKey++,
  name: '',
  email: '',
  auth: 'access_code',
  accessCode: '',
  language,
  contactId: null,
  role: 'signer',
  withPrevious: false,
});

/** The create-envelope page. */
export function EnvelopeNewPage() {
  const { t } = useI18n();
  return (
    <SenderShell width="normal" title={t('new.title')}>
      <EnvelopeForm />
    </SenderShell>
  );
}

export function formatSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function isPdf(file: File): boolean {
  return file.type === 'application/pdf' || file.name.toLowerCase().endsWith('.pdf');
}

export function todayIso(): string {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}

/** Maps a server error's details to a field of this form when it names one. */
function fieldOfServerError(error: ApiError, recipients: DraftRecipient[]): string | null {
  const raw = error.details['field'] ?? error.details['path'];
  const parts = Array.isArray(raw)
    ? raw.map(String)
    : typeof raw === 'string'
      ? raw.split(/[.[\]]+/).filter(Boolean)
      : [];
  if (parts[0] === 'recipients' && parts[1] !== undefined) {
    const recipient = recipients[Number(parts[1])];
    if (recipient && parts[2]) return `r${recipient.key}.${parts[2]}`;
  }
  if (parts[0] === 'name' || parts[0] === 'expiresAt' || parts[0] === 'message') return parts[0];
  if (
    error.code === 'NO_DOCUMENTS' ||
    error.code === 'PDF_INVALID' ||
    error.code === 'PDF_ENCRYPTED' ||
    error.code === 'PAYLOAD_TOO_LARGE'
  )
    return 'documents';
  if (error.code === 'NO_RECIPIENTS' || error.code === 'DUPLICATE_ORDER' || error.code === 'ORDER_GAP')
    return 'recipients';
  return null;
}

function EnvelopeForm() {
  const { t, language } = useI18n();
  const [name, setName] = useState('');
  const [message, setMessage] = useState('');
  const [expiresOn, setExpiresOn] = useState('');
  const [files, setFiles] = useState<DraftFile[]>([]);
  const [recipients, setRecipients] = useState<DraftRecipient[]>(() => [newRecipient(language)]);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'draft' | 'send' | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [dragging, setDragging] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const submitMode = useRef<'draft' | 'send'>('draft');
  const ids = { name: useId(), message: useId(), expires: useId(), documents: useId() };

  function addFiles(list: FileList | File[]) {
    const incoming = Array.from(list);
    const rejected = incoming.filter((file) => !isPdf(file));
    const accepted = incoming.filter(isPdf).map((file) => ({ key: nextKey++, file }));
    setFiles((current) => [...current, ...accepted]);
    setErrors((current) => {
      const next = { ...current };
      if (rejected.length > 0)
        next['documents'] = rejected.map((file) => t('new.notPdf', { name: file.name })).join(' ');
      else delete next['documents'];
      return next;
    });
  }

  function onDrop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setDragging(false);
    if (event.dataTransfer.files.length > 0) addFiles(event.dataTransfer.files);
  }

  function updateRecipient(key: number, patch: Partial<DraftRecipient>) {
    setRecipients((current) => current.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  }

  function moveRecipient(index: number, delta: -1 | 1) {
    setRecipients((current) => {
      const target = index + delta;
      if (target < 0 || target >= current.length) return current;
      const next = [...current];
      [next[index], next[target]] = [next[target]!, next[index]!];
      return next;
    });
  }

  function validate(): FieldErrors {
    const found: FieldErrors = {};
    if (!name.trim()) found['name'] = t('new.v.name');
    if (files.length === 0) found['documents'] = t('error.NO_DOCUMENTS');
    if (!recipients.some((r) => r.role === 'signer')) found['recipients'] = t('error.NO_RECIPIENTS');
    if (expiresOn && expiresOn < todayIso()) found['expiresAt'] = t('new.v.expiresPast');
    for (const r of recipients) {
      if (!r.name.trim()) found[`r${r.key}.name`] = t('new.v.recipientName');
      if (!looksLikeEmail(r.email.trim())) found[`r${r.key}.email`] = t('new.v.email');
      if (r.role === 'signer' && r.auth === 'access_code' && !r.contactId && !ACCESS_CODE_PATTERN.test(r.accessCode))
        found[`r${r.key}.accessCode`] = t('new.v.accessCode');
    }
    return found;
  }

  function focusFirstError(found: FieldErrors) {
    // Fields carry data-field so that the first invalid one (in page order) gets focus.
    requestAnimationFrame(() => {
      const form = formRef.current;
      if (!form) return;
      for (const element of Array.from(form.querySelectorAll<HTMLElement>('[data-field]'))) {
        if (found[element.dataset['field'] ?? '']) {
          element.focus();
          return;
        }
      }
    });
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    const mode = submitMode.current;
    const found = validate();
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setFormError(t('new.errorSummary'));
      focusFirstError(found);
      return;
    }
    setFormError(null);
    setBusy(mode);
    setProgress(0);

    const orders = signingOrders(recipients);
    const draft: EnvelopeDraft = {
      name: name.trim(),
      recipients: recipients.map((r, index) =>
        r.role === 'cc'
          ? { name: r.name.trim(), email: r.email.trim(), language: r.language, role: 'cc' as const }
          : {
              name: r.name.trim(),
              email: r.email.trim(),
              order: orders[index] ?? index + 1,
              language: r.language,
              ...(r.contactId
                ? { contactId: r.contactId }
                : { auth: r.auth, ...(r.auth === 'access_code' ? { accessCode: r.accessCode } : {}) }),
            },
      ),
    };
    if (message.trim()) draft.message = message.trim();
    // The envelope may be signed until the end of the chosen day, in the sender's time zone.
    if (expiresOn) draft.expiresAt = new Date(`${expiresOn}T23:59:59`).toISOString();
    const form = new FormData();
    form.append('envelope', JSON.stringify(draft));
    for (const { file } of files) form.append('documents', file, file.name);

    let envelope: Envelope;
    try {
      envelope = await uploadMultipart<Envelope>('/api/v1/envelopes', form, setProgress);
    } catch (caught) {
      setBusy(null);
      setProgress(null);
      const text = errorMessage(language, caught);
      setFormError(text);
      if (caught instanceof ApiError) {
        const field = fieldOfServerError(caught, recipients);
        if (field) {
          setErrors({ [field]: text });
          focusFirstError({ [field]: text });
        }
      }
      return;
    }
    // 送信内容の確認: the draft is saved, and the review screen sends it.
    const target = `/envelopes/${encodeURIComponent(envelope.id)}`;
    navigate(mode === 'send' ? `${target}/review` : target);
  }

  const describedBy = (field: string, hintId?: string) =>
    [errors[field] ? `${field}-error` : null, hintId ?? null].filter(Boolean).join(' ') || undefined;
  const fieldError = (field: string) =>
    errors[field] ? (
      <p id={`${field}-error`} className="field__error">
        {errors[field]}
      </p>
    ) : null;

  return (
    <>
      <div className="page-head">
        <div>
          <Link href="/envelopes" className="back-link">
            <span aria-hidden="true">←</span> {t('env.back')}
          </Link>
          <h1 className="page-title">{t('new.title')}</h1>
        </div>
      </div>
      <form ref={formRef} className="form form--wide" onSubmit={submit} noValidate>
        {formError && <Alert tone="error">{formError}</Alert>}

        <section className="card" aria-labelledby="basics-title">
          <h2 id="basics-title" className="section-title">
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
              placeholder={t('new.namePlaceholder')}
              onChange={(event) => setName(event.target.value)}
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
              onChange={(event) => setMessage(event.target.value)}
              aria-describedby={`${ids.message}-hint`}
            />
            <p id={`${ids.message}-hint`} className="field__hint">
              {t('new.messageHint')}
            </p>
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
              onChange={(event) => setExpiresOn(event.target.value)}
              aria-invalid={errors['expiresAt'] ? true : undefined}
              aria-describedby={describedBy('expiresAt', `${ids.expires}-hint`)}
            />
            <p id={`${ids.expires}-hint`} className="field__hint">
              {t('new.expiresHint')}
            </p>
            {fieldError('expiresAt')}
          </div>
        </section>

        <section className="card" aria-labelledby="documents-title">
          <h2 id="documents-title" className="section-title">
            {t('new.documents')} <span className="tag tag--required">{t('common.required')}</span>
          </h2>
          <div
            className={`dropzone${dragging ? ' dropzone--active' : ''}${errors['documents'] ? ' dropzone--invalid' : ''}`}
            onDragEnter={(event) => {
              event.preventDefault();
              setDragging(true);
            }}
            onDragOver={(event) => event.preventDefault()}
            onDragLeave={(event) => {
              if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragging(false);
            }}
            onDrop={onDrop}
          >
            <p className="dropzone__title">{t('new.drop')}</p>
            <p className="dropzone__or">{t('new.or')}</p>
            <button
              type="button"
              className="btn btn--secondary"
              data-field="documents"
              onClick={() => fileInput.current?.click()}
              aria-describedby={describedBy('documents', `${ids.documents}-hint`)}
            >
              {t('new.pick')}
            </button>
            <input
              ref={fileInput}
              type="file"
              accept="application/pdf,.pdf"
              multiple
              className="visually-hidden"
              tabIndex={-1}
              aria-hidden="true"
              onChange={(event) => {
                if (event.target.files) addFiles(event.target.files);
                event.target.value = '';
              }}
            />
            <p id={`${ids.documents}-hint`} className="field__hint">
              {t('new.dropHint')}
            </p>
          </div>
          {fieldError('documents')}
          {files.length > 0 && (
            <ul className="doc-list">
              {files.map(({ key, file }) => (
                <li key={key} className="doc-list__item">
                  <span className="doc-list__icon" aria-hidden="true">
                    PDF
                  </span>
                  <span className="doc-list__body">
                    <span className="doc-list__name">{file.name}</span>
                    <span className="doc-list__meta">{formatSize(file.size)}</span>
                  </span>
                  <button
                    type="button"
                    className="btn btn--ghost btn--small"
                    disabled={busy !== null}
                    onClick={() => setFiles((current) => current.filter((f) => f.key !== key))}
                    aria-label={t('new.removeDocument', { name: file.name })}
                  >
                    {t('new.remove')}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>

        <section className="card" aria-labelledby="recipients-title">
          <h2 id="recipients-title" className="section-title">
            {t('new.recipients')} <span className="tag tag--required">{t('common.required')}</span>
          </h2>
          <p className="muted small">{t('new.recipientsHint')}</p>
          {fieldError('recipients')}
          <ol className="recipient-list">
            {recipients.map((r, index) => (
              <RecipientEditor
                key={r.key}
                recipient={r}
                index={index}
                count={recipients.length}
                order={signingOrders(recipients)[index] ?? null}
                canBeParallel={hasSignerAbove(recipients, index)}
                errors={errors}
                disabled={busy !== null}
                onChange={(patch) => updateRecipient(r.key, patch)}
                onMove={(delta) => moveRecipient(index, delta)}
                onRemove={() => setRecipients((current) => current.filter((x) => x.key !== r.key))}
                describedBy={describedBy}
                fieldError={fieldError}
              />
            ))}
          </ol>
          <button
            type="button"
            className="btn btn--secondary"
            onClick={() => setRecipients((current) => [...current, newRecipient(language)])}
            disabled={busy !== null}
          >
            <span aria-hidden="true">＋</span> {t('new.addRecipient')}
          </button>
        </section>

        <div className="form-actions">
          {progress !== null && (
            <div className="progress" role="status">
              <progress
                className="progress__bar"
                max={100}
                value={Math.round(progress * 100)}
                aria-label={t('new.progressLabel')}
              />
              <span className="progress__text">
                {progress < 1 ? t('new.uploading', { percent: Math.round(progress * 100) }) : t('new.sending')}
              </span>
            </div>
          )}
          <div className="button-row">
            <button
              type="submit"
              className="btn btn--secondary btn--large"
              disabled={busy !== null}
              aria-busy={busy === 'draft'}
              onClick={() => (submitMode.current = 'draft')}
            >
              {t('new.saveDraft')}
            </button>
            <button
              type="submit"
              className="btn btn--primary btn--large"
              disabled={busy !== null}
              aria-busy={busy === 'send'}
              onClick={() => (submitMode.current = 'send')}
            >
              {t('new.send')}
            </button>
          </div>
        </div>
      </form>
    </>
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
            <option value="ja">日本語</option>
            <option value="en">English</option>
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
