// /envelopes/{id}/edit: a draft's name, message, expiry, recipients (kept ones keep their access code
// unless a new one is typed) and documents (added and removed at once). Sent envelopes cannot change.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, apiGet, apiRequest } from '../../api/client.ts';
import { errorMessage } from '../../api/messages.ts';
import type { Envelope } from '../../api/types.ts';
import { uploadMultipart } from '../../api/upload.ts';
import { Alert } from '../../components/alert.tsx';
import { Loading, StatePanel } from '../../components/state-panel.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { setFlash, takeFlash } from '../../lib/flash.ts';
import { navigate } from '../../lib/router.ts';
import { Link } from '../../lib/use-location.tsx';
import {
  BasicsSection,
  DocumentRow,
  expiryOf,
  fieldErrorHelpers,
  FormPageHead,
  isPdf,
  newRecipient,
  recipientErrors,
  RecipientsSection,
  todayIso,
  type DraftRecipient,
  type FieldErrors,
} from './envelope-form-sections.tsx';
import { signingOrders } from './recipient-flow.tsx';
import { SenderShell } from './sender-session.tsx';

/** A recipient row of the form; `id` for one the draft already has. */
type EditedRecipient = DraftRecipient & { id?: string };

/** The edit-draft page. */
export function EnvelopeEditPage({ id }: { id: string }) {
  const { t } = useI18n();
  return (
    <SenderShell width="normal" title={t('edit.title')}>
      <EditDraft id={id} />
    </SenderShell>
  );
}

function localDate(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}

function EditDraft({ id }: { id: string }) {
  const { t, describeError } = useI18n();
  const [envelope, setEnvelope] = useState<Envelope | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  useEffect(() => {
    let canceled = false;
    apiGet<Envelope>(`/api/v1/envelopes/${encodeURIComponent(id)}`)
      .then((value) => !canceled && setEnvelope(value))
      .catch((caught: unknown) => !canceled && setLoadError(describeError(caught)));
    return () => {
      canceled = true;
    };
  }, [id, describeError]);
  if (loadError) return <StatePanel tone="error" title={loadError} />;
  if (!envelope) return <Loading label={t('common.loading')} />;
  if (envelope.status !== 'draft')
    return (
      <StatePanel tone="neutral" title={t('edit.notDraft')}>
        <Link href={`/envelopes/${encodeURIComponent(envelope.id)}`} className="btn btn--secondary">
          {t('env.details')}
        </Link>
      </StatePanel>
    );
  return <EditForm initial={envelope} />;
}

function EditForm({ initial }: { initial: Envelope }) {
  const { t, language } = useI18n();
  const base = `/api/v1/envelopes/${encodeURIComponent(initial.id)}`;
  const [documents, setDocuments] = useState(initial.documents);
  const [name, setName] = useState(initial.name);
  const [message, setMessage] = useState(initial.message);
  const [expiresOn, setExpiresOn] = useState(localDate(initial.expiresAt));
  const [recipients, setRecipients] = useState<EditedRecipient[]>(() =>
    // Signers in signing order (equal orders: 同時に署名), then the CC recipients (order 0).
    [...initial.recipients]
      .sort((a, b) => (a.order || Number.MAX_SAFE_INTEGER) - (b.order || Number.MAX_SAFE_INTEGER))
      .map((r, index, sorted) => ({
        ...newRecipient(r.language),
        id: r.id,
        name: r.name,
        email: r.email,
        auth: r.auth,
        role: r.role ?? 'signer',
        withPrevious:
          r.role !== 'cc' && index > 0 && sorted[index - 1]!.role !== 'cc' && sorted[index - 1]!.order === r.order,
      })),
  );
  const orders = signingOrders(recipients);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  // 修正して再送 arrives here with a message saying what happened.
  const [notice, setNotice] = useState<string | null>(() => takeFlash()?.text ?? null);
  const [busy, setBusy] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  async function addDocuments(files: File[]) {
    const pdfs = files.filter(isPdf);
    if (pdfs.length === 0) {
      setErrors({ documents: files.map((file) => t('new.notPdf', { name: file.name })).join(' ') });
      return;
    }
    const form = new FormData();
    for (const file of pdfs) form.append('documents', file, file.name);
    setBusy('upload');
    setErrors({});
    try {
      const updated = await uploadMultipart<Envelope>(`${base}/documents`, form, () => undefined);
      setDocuments(updated.documents);
      setNotice(t('edit.documentAdded', { name: pdfs.map((f) => f.name).join('、') }));
    } catch (caught) {
      setErrors({ documents: errorMessage(language, caught) });
    } finally {
      setBusy(null);
    }
  }

  async function removeDocument(documentId: string, documentName: string) {
    setBusy(`remove-${documentId}`);
    setErrors({});
    try {
      const updated = await apiRequest<Envelope>('DELETE', `${base}/documents/${encodeURIComponent(documentId)}`);
      setDocuments(updated.documents);
      setNotice(t('edit.documentRemoved', { name: documentName }));
    } catch (caught) {
      setErrors({ documents: errorMessage(language, caught) });
    } finally {
      setBusy(null);
    }
  }

  function validate(): FieldErrors {
    const found: FieldErrors = {};
    if (!name.trim()) found['name'] = t('new.v.name');
    if (recipients.length === 0) found['recipients'] = t('error.NO_RECIPIENTS');
    if (expiresOn && expiresOn < todayIso()) found['expiresAt'] = t('new.v.expiresPast');
    // A kept recipient may leave the code empty (the current one stays); a new one needs one.
    return { ...found, ...recipientErrors(recipients, t, (r) => r.id !== undefined) };
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    const found = validate();
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setFormError(t('new.errorSummary'));
      return;
    }
    setFormError(null);
    setBusy('save');
    try {
      await apiRequest<Envelope>('PATCH', base, {
        name: name.trim(),
        message: message.trim(),
        // The envelope may be signed until the end of the chosen day, in the sender's time zone.
        expiresAt: expiresOn ? expiryOf(expiresOn) : null,
        recipients: recipients.map((r, index) =>
          r.role === 'cc'
            ? {
                ...(r.id ? { id: r.id } : {}),
                name: r.name.trim(),
                email: r.email.trim(),
                language: r.language,
                role: 'cc',
              }
            : {
                ...(r.id ? { id: r.id } : {}),
                name: r.name.trim(),
                email: r.email.trim(),
                order: orders[index] ?? index + 1,
                language: r.language,
                auth: r.auth,
                ...(r.auth === 'access_code' && r.accessCode ? { accessCode: r.accessCode } : {}),
              },
        ),
      });
      setFlash({ tone: 'success', text: t('edit.saved') });
      navigate(`/envelopes/${encodeURIComponent(initial.id)}`);
    } catch (caught) {
      setFormError(caught instanceof ApiError ? errorMessage(language, caught) : String(caught));
      setBusy(null);
    }
  }

  const { fieldError } = fieldErrorHelpers(errors);

  return (
    <>
      <FormPageHead
        backHref={`/envelopes/${encodeURIComponent(initial.id)}`}
        backLabel={initial.name}
        title={t('edit.title')}
      />
      <form className="form form--wide" onSubmit={save} noValidate>
        {formError && <Alert tone="error">{formError}</Alert>}
        {notice && <Alert tone="success">{notice}</Alert>}

        <BasicsSection
          titleId="edit-basics"
          name={name}
          onName={setName}
          message={message}
          onMessage={setMessage}
          expiresOn={expiresOn}
          onExpiresOn={setExpiresOn}
          errors={errors}
          withHints={false}
        />

        <section className="card" aria-labelledby="edit-documents">
          <h2 id="edit-documents" className="section-title">
            {t('new.documents')}
          </h2>
          <p className="muted small">{t('edit.documentsHint')}</p>
          {fieldError('documents')}
          <ul className="doc-list">
            {documents.map((doc) => (
              <DocumentRow
                key={doc.id}
                name={doc.name}
                meta={t('common.pages', { n: doc.pages })}
                wrap
                disabled={busy !== null || documents.length === 1}
                busy={busy === `remove-${doc.id}`}
                onRemove={() => removeDocument(doc.id, doc.name)}
              />
            ))}
          </ul>
          <button
            type="button"
            className="btn btn--secondary"
            disabled={busy !== null}
            aria-busy={busy === 'upload'}
            onClick={() => fileInput.current?.click()}
          >
            {busy === 'upload' ? t('edit.uploading') : t('edit.addDocument')}
          </button>
          <input
            ref={fileInput}
            type="file"
            accept="application/pdf,.pdf"
            multiple
            className="visually-hidden"
            tabIndex={-1}
            aria-hidden="true"
            data-testid="add-documents"
            onChange={(event) => {
              if (event.target.files) void addDocuments(Array.from(event.target.files));
              event.target.value = '';
            }}
          />
        </section>

        <RecipientsSection
          titleId="edit-recipients"
          required={false}
          hint={`${t('edit.codeKeep')} ${t('edit.removedFields')}`}
          recipients={recipients}
          setRecipients={setRecipients}
          errors={errors}
          disabled={busy !== null}
        />

        <div className="form-actions">
          <div className="button-row">
            <Link href={`/envelopes/${encodeURIComponent(initial.id)}`} className="btn btn--secondary btn--large">
              {t('edit.cancel')}
            </Link>
            <button
              type="submit"
              className="btn btn--primary btn--large"
              disabled={busy !== null}
              aria-busy={busy === 'save'}
            >
              {busy === 'save' ? t('edit.saving') : t('edit.save')}
            </button>
          </div>
        </div>
      </form>
    </>
  );
}
