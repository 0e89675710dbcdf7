// The review page: envelope facts, the documents in tabs, and 完了する / 拒否する with their dialogs.
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { ApiError, apiPost } from '../../api/client.ts';
import { errorMessage } from '../../api/messages.ts';
import type { SenderContact, SignerView } from '../../api/types.ts';
import type { LaidOutPage } from '../../components/pdf-scroll-viewer.tsx';
import { HelpLink, SenderContactCard } from '../../components/sender-contact.tsx';
import { Alert } from '../../components/alert.tsx';
import { ActionDialog } from '../../components/action-dialog.tsx';
import { Field, FormError, fieldAria } from '../../components/form-parts.tsx';
import { MessageBox } from '../../components/message-box.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { DocumentTabs } from './document-tabs.tsx';
import { reviewKey } from './review-memory.ts';
import { firstMissingField, SignerFields, useSignerFields, type FieldValues } from './fields/signer-fields.tsx';

const MAX_REASON = 1000;

/** Shows the envelope to the authenticated signer; calls back when signed or declined. */
export function ReviewScreen({
  token,
  view,
  onSigned,
  onDeclined,
  onBlocked,
  sender,
  pageOverlay,
}: {
  token: string;
  view: SignerView;
  onSigned: (view: SignerView) => void;
  onDeclined: () => void;
  /** The server refused to sign (not your turn, envelope closed): show that state. */
  onBlocked: (code: string) => void;
  /** Whom to ask (from the view or the link's state). */
  sender?: SenderContact | null;
  /**
   * Drawn over each page of each document, in page coordinates: the mount point of the fields the
   * signer fills on that page (issue 11 part 4).
   */
  pageOverlay?: (documentId: string, page: LaidOutPage) => ReactNode;
}) {
  const { t } = useI18n();
  const base = `/api/sign/${encodeURIComponent(token)}`;
  const [dialog, setDialog] = useState<'none' | 'confirm' | 'decline'>('none');
  const [reviewed, setReviewed] = useState<ReadonlySet<string>>(() => new Set());
  const viewedSent = useRef(false);
  // Fields to fill (issue 11 part 4): their own card; the values go with 署名手続きを完了する.
  const fields = useSignerFields(base);
  const [fieldValues, setFieldValues] = useState<FieldValues>({});
  const [showFieldErrors, setShowFieldErrors] = useState(false);
  const openConfirm = () => {
    if (firstMissingField(fields, fieldValues)) {
      setShowFieldErrors(true);
      document.getElementById('signer-fields-title')?.scrollIntoView({ behavior: 'smooth', block: 'start' });
      return;
    }
    setDialog('confirm');
  };

  // Record 閲覧済み once the documents are on screen (a GET must not change state, so a POST).
  useEffect(() => {
    if (viewedSent.current) return;
    viewedSent.current = true;
    apiPost(`${base}/viewed`).catch(() => {
      // Not worth bothering the signer: signing records the view as well.
    });
  }, [base]);

  const { envelope, recipient, documents } = view;
  const contact = envelope.sender ?? sender ?? null;
  const memoryKey = envelope.id && recipient.id ? reviewKey(envelope.id, recipient.id) : null;
  // Older servers send no canSign: then the server decides when 完了する is pressed.
  const canSign = recipient.canSign !== false;
  return (
    <div className="review">
      <section className="card review__summary" aria-labelledby="review-title">
        {envelope.senderLogoPath && (
          <img className="review__logo" src={envelope.senderLogoPath} alt={envelope.senderOrganization} />
        )}
        <p className="eyebrow">{t('signer.review.title')}</p>
        <h1 id="review-title" className="page-title page-title--wrap">
          {envelope.name}
        </h1>
        <dl className="facts facts--stack-wide">
          <div className="facts__row">
            <dt>{t('signer.review.sender')}</dt>
            <dd>
              {envelope.senderName
                ? t('signer.review.senderValue', { org: envelope.senderOrganization, name: envelope.senderName })
                : envelope.senderOrganization}
            </dd>
          </div>
          {envelope.senderContact && (
            <div className="facts__row">
              <dt>{t('signer.review.contact')}</dt>
              <dd className="review__contact">{envelope.senderContact}</dd>
            </div>
          )}
          <div className="facts__row">
            <dt>{t('signer.review.recipient')}</dt>
            <dd>{t('signer.review.recipientValue', { name: recipient.name })}</dd>
          </div>
        </dl>
        {envelope.message && <MessageBox heading="h2" title={t('signer.review.message')} text={envelope.message} />}
        <p className="review__progress" data-testid="review-progress">
          {t('signer.review.progress', { done: reviewed.size, total: documents.length })}
        </p>
        {contact && (
          <details className="review__contact">
            <summary>{t('contact.title')}</summary>
            <SenderContactCard contact={contact} heading="h3" />
          </details>
        )}
        <HelpLink />
      </section>

      <div className="review__documents">
        <DocumentTabs
          documents={documents}
          urlFor={(id) => `${base}/documents/${encodeURIComponent(id)}`}
          downloadUrlFor={(id) => `${base}/documents/${encodeURIComponent(id)}/download`}
          memoryKey={memoryKey}
          onReviewedChange={setReviewed}
          pageOverlay={pageOverlay}
        />
      </div>

      <SignerFields
        base={base}
        documents={documents}
        fields={fields}
        values={fieldValues}
        onChange={setFieldValues}
        signerName={recipient.name}
        showErrors={showFieldErrors}
      />

      <div className="action-bar" role="region" aria-label={t('signer.review.title')}>
        <div className="action-bar__inner">
          {canSign ? (
            <p className="action-bar__text">{t('signer.review.instructions')}</p>
          ) : (
            <p className="action-bar__text action-bar__text--notice" role="status">
              {t('signer.review.cannotSign')}
            </p>
          )}
          <div className="action-bar__buttons" hidden={!canSign}>
            <button type="button" className="btn btn--secondary btn--large" onClick={() => setDialog('decline')}>
              {t('signer.review.decline')}
            </button>
            <button type="button" className="btn btn--primary btn--large" onClick={openConfirm}>
              {t('signer.review.complete')}
            </button>
          </div>
        </div>
      </div>

      <ConfirmSignDialog
        open={dialog === 'confirm'}
        onClose={() => setDialog('none')}
        base={base}
        documents={documents}
        reviewed={reviewed}
        fieldValues={fields.length > 0 ? fieldValues : undefined}
        onSigned={onSigned}
        onBlocked={onBlocked}
      />
      <DeclineDialog
        open={dialog === 'decline'}
        onClose={() => setDialog('none')}
        base={base}
        onDeclined={onDeclined}
        onBlocked={onBlocked}
      />
    </div>
  );
}

/** 署名の確認: the last step; the button disables itself on the first press. */
function ConfirmSignDialog({
  open,
  onClose,
  base,
  documents,
  reviewed,
  fieldValues,
  onSigned,
  onBlocked,
}: {
  open: boolean;
  onClose: () => void;
  base: string;
  documents: SignerView['documents'];
  reviewed: ReadonlySet<string>;
  fieldValues?: FieldValues;
  onSigned: (view: SignerView) => void;
  onBlocked: (code: string) => void;
}) {
  const { t, language } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // A ref, not state: two clicks in the same frame both see the state as it was before either.
  const inFlight = useRef(false);

  async function sign() {
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    setError(null);
    try {
      onSigned(await apiPost<SignerView>(`${base}/sign`, fieldValues ? { fields: fieldValues } : undefined));
    } catch (caught) {
      inFlight.current = false;
      setBusy(false);
      if (
        caught instanceof ApiError &&
        ['NOT_YOUR_TURN', 'ENVELOPE_NOT_ACTIVE', 'ALREADY_SIGNED', 'ACCESS_CODE_LOCKED'].includes(caught.code)
      ) {
        return onBlocked(caught.code);
      }
      setError(errorMessage(language, caught));
    }
  }

  return (
    <ActionDialog
      open={open}
      title={t('signer.confirm.title')}
      onClose={onClose}
      busy={busy}
      action={
        <button
          type="button"
          className="btn btn--primary"
          onClick={sign}
          disabled={busy}
          aria-busy={busy}
          data-testid="confirm-sign"
        >
          {busy ? t('signer.confirm.submitting') : t('signer.confirm.submit')}
        </button>
      }
    >
      <p className="modal__message">{t('signer.confirm.body')}</p>
      <p className="muted small">{t('signer.confirm.documents')}</p>
      <ul className="doc-list doc-list--compact">
        {documents.map((doc) => (
          <li key={doc.id}>
            <span className="doc-list__icon" aria-hidden="true">
              PDF
            </span>
            <span className="doc-list__name">{doc.name}</span>
            {reviewed.has(doc.id) ? (
              <span className="doc-list__check">
                <span aria-hidden="true">✓</span> {t('signer.review.reviewed')}
              </span>
            ) : (
              <span className="doc-list__unchecked">{t('signer.review.notReviewed')}</span>
            )}
          </li>
        ))}
      </ul>
      {reviewed.size < documents.length && <p className="small notice-text">{t('signer.confirm.unreviewed')}</p>}
      <p className="muted small">{t('signer.confirm.note')}</p>
      {error && <Alert tone="error">{error}</Alert>}
    </ActionDialog>
  );
}

/** 署名を拒否する: asks for the reason (1–1000 characters). */
function DeclineDialog({
  open,
  onClose,
  base,
  onDeclined,
  onBlocked,
}: {
  open: boolean;
  onClose: () => void;
  base: string;
  onDeclined: () => void;
  onBlocked: (code: string) => void;
}) {
  const { t, language } = useI18n();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const inFlight = useRef(false);
  const fieldId = useId();
  const countId = useId();
  const errorId = useId();

  async function decline() {
    if (inFlight.current) return;
    const text = reason.trim();
    if (text === '') return setError(t('signer.decline.required'));
    if (text.length > MAX_REASON) return setError(t('signer.decline.tooLong'));
    inFlight.current = true;
    setBusy(true);
    setError(null);
    try {
      await apiPost(`${base}/decline`, { reason: text });
      onDeclined();
    } catch (caught) {
      inFlight.current = false;
      setBusy(false);
      if (caught instanceof ApiError && ['ENVELOPE_NOT_ACTIVE', 'ALREADY_SIGNED'].includes(caught.code))
        return onBlocked(caught.code);
      setError(errorMessage(language, caught));
    }
  }

  return (
    <ActionDialog
      open={open}
      title={t('signer.decline.title')}
      onClose={onClose}
      busy={busy}
      action={
        <button type="button" className="btn btn--danger" onClick={decline} disabled={busy} aria-busy={busy}>
          {busy ? t('signer.decline.submitting') : t('signer.decline.submit')}
        </button>
      }
    >
      <p>{t('signer.decline.body')}</p>
      <Field id={fieldId} label={t('signer.decline.reason')}>
        <textarea
          id={fieldId}
          className="input textarea"
          rows={5}
          value={reason}
          maxLength={MAX_REASON}
          onChange={(event) => setReason(event.target.value)}
          {...fieldAria(error, errorId, countId)}
        />
        <p id={countId} className="field__hint field__hint--end">
          {t('signer.decline.count', { n: reason.length })}
        </p>
      </Field>
      <FormError id={errorId} error={error} />
    </ActionDialog>
  );
}
