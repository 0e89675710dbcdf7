// /envelopes/{id}: status, certificate ID, documents, recipients with their states and actions
// (再送, ロック解除, コードを表示, リマインド), 編集 and 送信内容の確認 for drafts, 複製 / 修正して再送, 取消, and the
// timeline of the operation log.
import { displayOrder, OrderBadge, RecipientFlowTag, RemindButton } from './recipient-flow.tsx';
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { apiGet, apiPost } from '../../api/client.ts';
import { errorMessage } from '../../api/messages.ts';
import type { Envelope, EnvelopeEvent, Recipient } from '../../api/types.ts';
import { Alert } from '../../components/alert.tsx';
import { CertificateListItem, DocumentListItem } from '../../components/document-list.tsx';
import { ActionDialog } from '../../components/action-dialog.tsx';
import { Field } from '../../components/form-parts.tsx';
import { MessageBox } from '../../components/message-box.tsx';
import { RetentionCard } from '../../components/retention-card.tsx';
import { Loading, StatePanel } from '../../components/state-panel.tsx';
import { EnvelopeStatusBadge, RecipientStatusBadge } from '../../components/status-badge.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { formatDateTime } from '../../i18n/translate.ts';
import { ACCESS_CODE_PATTERN, generateAccessCode } from '../../lib/access-code.ts';
import { takeFlash, type Flash } from '../../lib/flash.ts';
import { Link } from '../../lib/use-location.tsx';
import { EnvelopeTimeline } from '../../components/envelope-timeline.tsx';
import { navigate } from '../../lib/router.ts';
import { CopyButtons, RevealCodeButton, canRevealCode } from './envelope-tools.tsx';
import { FieldPlacer } from './fields/field-placer.tsx';
import { SenderShell, useUser } from './sender-session.tsx';
import type { EnvelopeApprovals } from '../../api/approval-types.ts';
import { ApprovalCard } from '../approvals/approval-card.tsx';

/** The envelope page. */
export function EnvelopePage({ id }: { id: string }) {
  const { t } = useI18n();
  return (
    <SenderShell title={t('env.details')}>
      <EnvelopeDetails id={id} />
    </SenderShell>
  );
}

function EnvelopeDetails({ id }: { id: string }) {
  const { t, language, describeError } = useI18n();
  const base = `/api/v1/envelopes/${encodeURIComponent(id)}`;
  const [envelope, setEnvelope] = useState<Envelope | null>(null);
  const [events, setEvents] = useState<EnvelopeEvent[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [flash, setFlashState] = useState<Flash | null>(() => takeFlash());
  const [busy, setBusy] = useState<string | null>(null);
  const user = useUser();
  const [shreddedAt, setShreddedAt] = useState<string | null>(null);
  const [approvals, setApprovals] = useState<EnvelopeApprovals | null>(null);
  const [dialog, setDialog] = useState<{ kind: 'cancel' } | { kind: 'unlock'; recipient: Recipient } | null>(null);

  const reloadEvents = useCallback(() => {
    apiGet<{ items: EnvelopeEvent[] }>(`${base}/events`)
      // Newest first: the latest step is what the sender looks for.
      .then((page) => setEvents([...page.items].sort((x, y) => y.createdAt.localeCompare(x.createdAt))))
      .catch(() => setEvents([]));
  }, [base]);

  const reloadEnvelope = useCallback(() => {
    apiGet<Envelope>(base)
      .then(setEnvelope)
      .catch(() => undefined);
    apiGet<EnvelopeApprovals>(`${base}/approvals`)
      .then(setApprovals)
      .catch(() => undefined);
    reloadEvents();
  }, [base, reloadEvents]);

  useEffect(() => {
    let canceled = false;
    apiGet<Envelope>(base)
      .then((value) => !canceled && setEnvelope(value))
      .catch((caught: unknown) => !canceled && setLoadError(describeError(caught)));
    apiGet<EnvelopeApprovals>(`${base}/approvals`)
      .then((value) => !canceled && setApprovals(value))
      .catch(() => undefined);
    reloadEvents();
    return () => {
      canceled = true;
    };
  }, [base, reloadEvents, describeError]);

  /** Runs one action; the returned envelope replaces the shown one. */
  async function act(key: string, path: string, body: unknown, success: string): Promise<boolean> {
    if (busy) return false;
    setBusy(key);
    try {
      setEnvelope(await apiPost<Envelope>(path, body));
      setFlashState({ tone: 'success', text: success });
      reloadEvents();
      return true;
    } catch (caught) {
      setFlashState({ tone: 'error', text: errorMessage(language, caught) });
      return false;
    } finally {
      setBusy(null);
    }
  }

  if (loadError) return <StatePanel tone="error" title={loadError} />;
  if (!envelope) return <Loading label={t('common.loading')} />;

  const canCancel = envelope.status === 'draft' || envelope.status === 'pending_approval' || envelope.status === 'sent';
  const isAdmin = user.role === 'admin';
  const recipients = displayOrder(envelope.recipients);

  return (
    <>
      <div className="page-head">
        <div className="page-head__main">
          <Link href="/envelopes" className="back-link">
            <span aria-hidden="true">←</span> {t('env.back')}
          </Link>
          <h1 className="page-title page-title--wrap">
            {envelope.name} <EnvelopeStatusBadge status={envelope.status} />
          </h1>
        </div>
        <div className="button-row">
          {canCancel && (
            <button
              type="button"
              className="btn btn--danger-outline"
              onClick={() => setDialog({ kind: 'cancel' })}
              disabled={busy !== null}
            >
              {t('env.cancel')}
            </button>
          )}
          <CopyButtons envelope={envelope} disabled={busy !== null} />
          {envelope.status === 'draft' && (
            <>
              <button
                type="button"
                className="btn btn--secondary"
                onClick={() => navigate(`/envelopes/${encodeURIComponent(envelope.id)}/edit`)}
                disabled={busy !== null}
              >
                {t('env.edit')}
              </button>
              <button
                type="button"
                className="btn btn--primary"
                onClick={() => navigate(`/envelopes/${encodeURIComponent(envelope.id)}/review`)}
                disabled={busy !== null}
              >
                {t('env.review')}
              </button>
            </>
          )}
        </div>
      </div>

      {flash && <Alert tone={flash.tone === 'success' ? 'success' : 'error'}>{flash.text}</Alert>}

      <div className="envelope-layout">
        <div className="envelope-layout__main">
          {approvals && approvals.rounds.length > 0 && (
            <ApprovalCard
              view={approvals}
              isAdmin={isAdmin}
              onChanged={(text) => {
                setFlashState({ tone: 'success', text });
                reloadEnvelope();
                reloadEvents();
              }}
            />
          )}
          <section className="card" aria-labelledby="recipients-title">
            <h2 id="recipients-title" className="section-title">
              {t('env.recipients')}
            </h2>
            <ol className="recipient-rows">
              {recipients.map((recipient) => (
                <li key={recipient.id} className="recipient-row">
                  <OrderBadge order={recipient.role === 'cc' ? null : recipient.order} />
                  <div className="recipient-row__body">
                    <div className="recipient-row__line">
                      <span className="recipient-row__name">{recipient.name}</span>
                      {recipient.role !== 'cc' && (
                        <RecipientStatusBadge status={recipient.status} envelopeStatus={envelope.status} />
                      )}
                      <RecipientFlowTag recipients={recipients} recipient={recipient} />
                    </div>
                    <div className="recipient-row__meta">
                      <span className="recipient-row__email">{recipient.email}</span>
                      {recipient.auth === 'login' && <span>{t('env.authLogin')}</span>}
                      {recipient.registeredAccessCode && <span>{t('picker.registeredCode')}</span>}
                      {recipient.signedAt && (
                        <span>{t('env.signedAt', { date: formatDateTime(language, recipient.signedAt) })}</span>
                      )}
                      {recipient.failedAttempts > 0 && recipient.status !== 'signed' && (
                        <span className="warn-text">{t('env.failedAttempts', { n: recipient.failedAttempts })}</span>
                      )}
                    </div>
                    {recipient.declineReason && (
                      <p className="recipient-row__reason">
                        {t('env.declineReason', { reason: recipient.declineReason })}
                      </p>
                    )}
                  </div>
                  <div className="recipient-row__actions">
                    {canRevealCode(envelope, recipient) && (
                      <RevealCodeButton envelopeId={envelope.id} recipient={recipient} />
                    )}
                    {envelope.status === 'sent' &&
                      (recipient.status === 'notified' || recipient.status === 'viewed') && (
                        <button
                          type="button"
                          className="btn btn--secondary btn--small"
                          disabled={busy !== null}
                          aria-busy={busy === `resend-${recipient.id}`}
                          aria-label={t('env.resendLabel', { name: recipient.name })}
                          onClick={() =>
                            act(
                              `resend-${recipient.id}`,
                              `${base}/recipients/${encodeURIComponent(recipient.id)}/resend`,
                              undefined,
                              t('env.resent', { name: recipient.name }),
                            )
                          }
                        >
                          {t('env.resend')}
                        </button>
                      )}
                    {envelope.status === 'sent' &&
                      (recipient.status === 'notified' || recipient.status === 'viewed') && (
                        <RemindButton
                          recipient={recipient}
                          disabled={busy !== null}
                          busy={busy === `remind-${recipient.id}`}
                          onRemind={() =>
                            void act(
                              `remind-${recipient.id}`,
                              `${base}/recipients/${encodeURIComponent(recipient.id)}/remind`,
                              undefined,
                              t('flow.reminded', { name: recipient.name }),
                            )
                          }
                        />
                      )}
                    {recipient.status === 'locked' && (
                      <button
                        type="button"
                        className="btn btn--primary btn--small"
                        disabled={busy !== null}
                        aria-label={t('env.unlockLabel', { name: recipient.name })}
                        onClick={() => setDialog({ kind: 'unlock', recipient })}
                      >
                        {t('env.unlock')}
                      </button>
                    )}
                  </div>
                </li>
              ))}
            </ol>
          </section>

          {envelope.status === 'draft' && <FieldPlacer envelope={envelope} isAdmin={isAdmin} />}

          <section className="card" aria-labelledby="details-title">
            <h2 id="details-title" className="section-title">
              {t('env.details')}
            </h2>
            <dl className="facts facts--grid">
              <div className="facts__row">
                <dt>{t('env.certificateId')}</dt>
                <dd className="mono">{envelope.certificateId || t('common.dash')}</dd>
              </div>
              <div className="facts__row">
                <dt>{t('env.createdAt')}</dt>
                <dd>{formatDateTime(language, envelope.createdAt)}</dd>
              </div>
              <div className="facts__row">
                <dt>{t('env.sentAt')}</dt>
                <dd>{formatDateTime(language, envelope.sentAt)}</dd>
              </div>
              <div className="facts__row">
                <dt>{t('env.completedAt')}</dt>
                <dd>{formatDateTime(language, envelope.completedAt)}</dd>
              </div>
              <div className="facts__row">
                <dt>{t('env.expiresAt')}</dt>
                <dd>{formatDateTime(language, envelope.expiresAt)}</dd>
              </div>
            </dl>
            {envelope.message && <MessageBox heading="h3" title={t('env.message')} text={envelope.message} />}
          </section>

          <section className="card" aria-labelledby="docs-title">
            <h2 id="docs-title" className="section-title">
              {t('env.documents')}
            </h2>
            {shreddedAt ? (
              <p className="alert alert--warning">
                {t('retention.shredded', { at: formatDateTime(language, shreddedAt) })}
              </p>
            ) : (
              <ul className="doc-list">
                {envelope.documents.map((doc) => (
                  <DocumentListItem
                    key={doc.id}
                    doc={doc}
                    href={`${base}/documents/${encodeURIComponent(doc.id)}`}
                    buttonClassName="btn btn--secondary btn--small"
                    buttonText={t('env.download')}
                    buttonLabel={t('env.downloadLabel', { name: doc.name })}
                  />
                ))}
                {envelope.status === 'completed' && (
                  <CertificateListItem
                    meta={
                      envelope.certificateIssuedAt
                        ? t('certificate.issuedAt', { date: formatDateTime(language, envelope.certificateIssuedAt) })
                        : t('certificate.pending')
                    }
                  >
                    {envelope.certificateIssuedAt ? (
                      <a
                        className="btn btn--primary btn--small"
                        href={`${base}/certificate`}
                        download
                        aria-label={t('certificate.downloadLabel')}
                      >
                        {t('certificate.download')}
                      </a>
                    ) : (
                      <button type="button" className="btn btn--secondary btn--small" onClick={reloadEnvelope}>
                        {t('common.retry')}
                      </button>
                    )}
                  </CertificateListItem>
                )}
              </ul>
            )}
          </section>
        </div>

        <aside className="envelope-layout__side">
          <section className="card" aria-labelledby="timeline-title">
            <h2 id="timeline-title" className="section-title">
              {t('env.timeline')}
            </h2>
            {!events ? (
              <Loading label={t('common.loading')} />
            ) : events.length === 0 ? (
              <p className="muted">{t('env.timeline.empty')}</p>
            ) : (
              <EnvelopeTimeline events={events} documents={envelope.documents} />
            )}
          </section>
          {user.organization && (
            <RetentionCard
              subjectType="envelope"
              subjectId={envelope.id}
              isAdmin={user.role === 'admin'}
              onShredded={setShreddedAt}
            />
          )}
        </aside>
      </div>

      <ActionDialog
        open={dialog?.kind === 'cancel'}
        title={t('env.cancel.title')}
        onClose={() => setDialog(null)}
        busy={busy !== null}
        action={
          <button
            type="button"
            className="btn btn--danger"
            disabled={busy !== null}
            aria-busy={busy === 'cancel'}
            onClick={async () => {
              await act('cancel', `${base}/cancel`, undefined, t('env.canceled'));
              setDialog(null);
            }}
          >
            {t('env.cancel.confirm')}
          </button>
        }
      >
        <p className="modal__message">{t('env.cancel.body', { name: envelope.name })}</p>
      </ActionDialog>

      {dialog?.kind === 'unlock' && (
        <UnlockDialog
          recipient={dialog.recipient}
          busy={busy !== null}
          onClose={() => setDialog(null)}
          onUnlock={async (code) => {
            const ok = await act(
              `unlock-${dialog.recipient.id}`,
              `${base}/recipients/${encodeURIComponent(dialog.recipient.id)}/unlock`,
              code ? { accessCode: code } : {},
              t('env.unlocked', { name: dialog.recipient.name }),
            );
            if (ok) setDialog(null);
          }}
        />
      )}
    </>
  );
}

function UnlockDialog({
  recipient,
  busy,
  onClose,
  onUnlock,
}: {
  recipient: Recipient;
  busy: boolean;
  onClose: () => void;
  onUnlock: (code: string) => void;
}) {
  const { t } = useI18n();
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const inputId = useId();
  const errorId = useId();
  const inputRef = useRef<HTMLInputElement>(null);

  function confirm() {
    if (code && !ACCESS_CODE_PATTERN.test(code)) {
      setError(t('new.v.accessCode'));
      inputRef.current?.focus();
      return;
    }
    onUnlock(code);
  }

  return (
    <ActionDialog
      open
      title={t('env.unlock.title')}
      onClose={onClose}
      busy={busy}
      action={
        <button type="button" className="btn btn--primary" onClick={confirm} disabled={busy} aria-busy={busy}>
          {t('env.unlock.confirm')}
        </button>
      }
    >
      {recipient.registeredAccessCode ? (
        <p>{t('env.unlock.registered', { name: recipient.name })}</p>
      ) : (
        <p>{t('env.unlock.body', { name: recipient.name })}</p>
      )}
      {!recipient.registeredAccessCode && (
        <Field id={inputId} label={t('env.unlock.code')}>
          <div className="input-group">
            <input
              ref={inputRef}
              id={inputId}
              className="input input--code-small"
              inputMode="numeric"
              autoComplete="off"
              maxLength={8}
              value={code}
              onChange={(event) => setCode(event.target.value.replace(/\D/g, ''))}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? errorId : undefined}
            />
            <button type="button" className="btn btn--secondary" onClick={() => setCode(generateAccessCode())}>
              {t('new.recipient.generate')}
            </button>
          </div>
          {error && (
            <p id={errorId} className="field__error">
              {error}
            </p>
          )}
        </Field>
      )}
    </ActionDialog>
  );
}
