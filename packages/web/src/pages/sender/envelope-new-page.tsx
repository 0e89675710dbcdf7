// /envelopes/new: name, message, PDFs (drag and drop or picker, upload progress), recipients in
// signing order, expiry; 下書き保存 creates a draft, 送信内容の確認 creates it and opens the review screen.
import { useId, useRef, useState, type DragEvent, type FormEvent } from 'react';
import { ApiError } from '../../api/client.ts';
import { errorMessage } from '../../api/messages.ts';
import { signingOrders } from './recipient-flow.tsx';
import type { Envelope, EnvelopeDraft } from '../../api/types.ts';
import { uploadMultipart } from '../../api/upload.ts';
import { Alert } from '../../components/alert.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { navigate } from '../../lib/router.ts';
import {
  BasicsSection,
  DocumentRow,
  expiryOf,
  fieldErrorHelpers,
  FormPageHead,
  isPdf,
  newRecipient,
  nextFormKey,
  recipientErrors,
  RecipientsSection,
  todayIso,
  type DraftRecipient,
  type FieldErrors,
} from './envelope-form-sections.tsx';
import { SenderShell } from './sender-session.tsx';

interface DraftFile {
  key: number;
  file: File;
}

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
  if (error.code === 'NO_RECIPIENTS' || error.code === 'ORDER_GAP') return 'recipients';
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
  const ids = { documents: useId() };

  function addFiles(list: FileList | File[]) {
    const incoming = Array.from(list);
    const rejected = incoming.filter((file) => !isPdf(file));
    const accepted = incoming.filter(isPdf).map((file) => ({ key: nextFormKey(), file }));
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

  function validate(): FieldErrors {
    const found: FieldErrors = {};
    if (!name.trim()) found['name'] = t('new.v.name');
    if (files.length === 0) found['documents'] = t('error.NO_DOCUMENTS');
    if (!recipients.some((r) => r.role === 'signer')) found['recipients'] = t('error.NO_RECIPIENTS');
    if (expiresOn && expiresOn < todayIso()) found['expiresAt'] = t('new.v.expiresPast');
    // A recipient of the address book uses its registered code (none typed here).
    return { ...found, ...recipientErrors(recipients, t, (r) => r.contactId !== null) };
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
    if (expiresOn) draft.expiresAt = expiryOf(expiresOn);
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

  const { describedBy, fieldError } = fieldErrorHelpers(errors);

  return (
    <>
      <FormPageHead backHref="/envelopes" backLabel={t('env.back')} title={t('new.title')} />
      <form ref={formRef} className="form form--wide" onSubmit={submit} noValidate>
        {formError && <Alert tone="error">{formError}</Alert>}

        <BasicsSection
          titleId="basics-title"
          name={name}
          onName={setName}
          message={message}
          onMessage={setMessage}
          expiresOn={expiresOn}
          onExpiresOn={setExpiresOn}
          errors={errors}
          withHints
        />

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
                <DocumentRow
                  key={key}
                  name={file.name}
                  meta={formatSize(file.size)}
                  disabled={busy !== null}
                  onRemove={() => setFiles((current) => current.filter((f) => f.key !== key))}
                />
              ))}
            </ul>
          )}
        </section>

        <RecipientsSection
          titleId="recipients-title"
          required
          hint={t('new.recipientsHint')}
          recipients={recipients}
          setRecipients={setRecipients}
          errors={errors}
          disabled={busy !== null}
        />

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
