// 稟議 pages for members: /approvals (承認待ち一覧, the envelopes on which the signed-in member decides
// now) and /approvals/{id} (the approval page: the envelope as it will be sent, the route's state, and
// 承認 with an optional comment or 差し戻し with a required reason).
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { apiGet, apiPost } from '../../api/client.ts';
import { errorMessage } from '../../api/messages.ts';
import type { ApprovalInboxItem, EnvelopeApprovals } from '../../api/approval-types.ts';
import { Alert } from '../../components/alert.tsx';
import { Field } from '../../components/form-parts.tsx';
import { MessageBox } from '../../components/message-box.tsx';
import { Loading, StatePanel } from '../../components/state-panel.tsx';
import { EnvelopeStatusBadge } from '../../components/status-badge.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { formatDateTime } from '../../i18n/translate.ts';
import { Link } from '../../lib/use-location.tsx';
import { ReviewDocumentsSection, ReviewRecipientsSection } from '../sender/envelope-summary-sections.tsx';
import { SenderShell, useUser } from '../sender/sender-session.tsx';
import { ApprovalCard } from './approval-card.tsx';

/** /approvals: 承認待ち一覧. */
export function ApprovalInboxPage() {
  const { t } = useI18n();
  return (
    <SenderShell width="normal" title={t('approval.inbox.title')}>
      <Inbox />
    </SenderShell>
  );
}

function Inbox() {
  const { t, describeError } = useI18n();
  const [items, setItems] = useState<ApprovalInboxItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    apiGet<{ items: ApprovalInboxItem[] }>('/api/v1/approvals')
      .then((page) => setItems(page.items))
      .catch((caught: unknown) => setError(describeError(caught)));
  }, [describeError]);
  if (error) return <StatePanel tone="error" title={error} />;
  if (!items) return <Loading label={t('common.loading')} />;
  return (
    <>
      <div className="page-head">
        <div className="page-head__main">
          <h1 className="page-title">{t('approval.inbox.title')}</h1>
        </div>
      </div>
      <p className="lead">{t('approval.inbox.lead')}</p>
      {items.length === 0 ? (
        <StatePanel tone="neutral" title={t('approval.inbox.empty')} />
      ) : (
        <ApprovalInboxList items={items} />
      )}
    </>
  );
}

/** The envelopes waiting for the signed-in member's approval (承認待ち一覧, and the 承認待ち tab of the list). */
export function ApprovalInboxList({ items }: { items: ApprovalInboxItem[] }) {
  const { t, language } = useI18n();
  return (
    <ul className="approval-inbox" data-testid="approval-inbox">
      {items.map((item) => (
        <li key={item.envelopeId} className="card approval-inbox__item">
          <div className="approval-inbox__body">
            <p className="approval-inbox__name">{item.name}</p>
            <p className="muted small">
              {t('approval.route')}: {item.routeName} · {t('approval.step', { n: item.step })} (
              {t(`approval.mode.${item.stepMode}`)})
            </p>
            <p className="muted small">
              {t('approval.inbox.sender')}: {item.senderName ?? '—'} · {t('approval.inbox.submitted')}:{' '}
              {formatDateTime(language, item.submittedAt)}
            </p>
          </div>
          <Link href={`/approvals/${encodeURIComponent(item.envelopeId)}`} className="btn btn--primary">
            {t('approval.inbox.open')}
          </Link>
        </li>
      ))}
    </ul>
  );
}

/** /approvals/{id}: the approval page. */
export function ApprovalPage({ id }: { id: string }) {
  const { t } = useI18n();
  return (
    <SenderShell width="normal" title={t('approval.page.title')}>
      <Approval id={id} />
    </SenderShell>
  );
}

function Approval({ id }: { id: string }) {
  const { t, language, describeError } = useI18n();
  const user = useUser();
  const base = `/api/v1/envelopes/${encodeURIComponent(id)}`;
  const [view, setView] = useState<EnvelopeApprovals | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [comment, setComment] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const reload = useCallback(() => {
    apiGet<EnvelopeApprovals>(`${base}/approvals`)
      .then(setView)
      .catch((caught: unknown) => setLoadError(describeError(caught)));
  }, [base, describeError]);
  useEffect(reload, [reload]);

  async function decide(event: FormEvent, decision: 'approve' | 'reject') {
    event.preventDefault();
    if (busy) return;
    if (decision === 'reject' && reason.trim() === '') {
      setError(t('approval.reasonRequired'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await apiPost(
        `${base}/approvals/${decision}`,
        decision === 'approve' ? { comment: comment.trim() || null } : { reason },
      );
      setNotice(decision === 'approve' ? t('approval.approvedNotice') : t('approval.rejectedNotice'));
      reload();
    } catch (caught) {
      setError(errorMessage(language, caught));
    } finally {
      setBusy(false);
    }
  }

  if (loadError) return <StatePanel tone="error" title={loadError} />;
  if (!view) return <Loading label={t('common.loading')} />;
  const { envelope } = view;
  return (
    <>
      <div className="page-head">
        <div className="page-head__main">
          <Link href="/approvals" className="back-link">
            <span aria-hidden="true">←</span> {t('approval.inbox.title')}
          </Link>
          <h1 className="page-title page-title--wrap">
            {envelope.name} <EnvelopeStatusBadge status={envelope.status} />
          </h1>
        </div>
      </div>
      <p className="lead">{t('approval.page.lead')}</p>
      {notice && <Alert tone="success">{notice}</Alert>}

      <ReviewRecipientsSection
        envelope={envelope}
        title={t('approval.recipients')}
        footnote={envelope.message && <MessageBox heading="h3" title={t('review.message')} text={envelope.message} />}
      />
      <ReviewDocumentsSection envelope={envelope} linkBase={base}>
        <Link href={`/envelopes/${encodeURIComponent(envelope.id)}`} className="btn btn--secondary btn--small">
          {t('approval.viewEnvelope')}
        </Link>
      </ReviewDocumentsSection>

      <ApprovalCard view={view} isAdmin={user.role === 'admin'} onChanged={(text) => (setNotice(text), reload())} />

      {view.canDecide ? (
        <section className="card" aria-labelledby="approval-decide">
          <h2 id="approval-decide" className="section-title">
            {t('approval.page.title')}
          </h2>
          {error && <Alert tone="error">{error}</Alert>}
          <form className="form" onSubmit={(e) => void decide(e, 'approve')} noValidate>
            <Field id="approval-comment" label={t('approval.comment')}>
              <textarea
                id="approval-comment"
                className="input textarea"
                rows={3}
                maxLength={1000}
                value={comment}
                onChange={(e) => setComment(e.target.value)}
              />
            </Field>
            <div className="button-row">
              <button type="submit" className="btn btn--primary btn--large" disabled={busy} aria-busy={busy}>
                {t('approval.approve')}
              </button>
            </div>
          </form>
          <form className="form approval-reject" onSubmit={(e) => void decide(e, 'reject')} noValidate>
            <Field id="approval-reason" label={t('approval.reason')}>
              <textarea
                id="approval-reason"
                className="input textarea"
                rows={3}
                maxLength={1000}
                value={reason}
                onChange={(e) => setReason(e.target.value)}
              />
            </Field>
            <div className="button-row">
              <button type="submit" className="btn btn--danger-outline" disabled={busy}>
                {t('approval.reject')}
              </button>
            </div>
          </form>
        </section>
      ) : (
        envelope.status === 'pending_approval' && <Alert tone="info">{t('approval.page.notYours')}</Alert>
      )}
    </>
  );
}
