// /envelopes/{id}/review: 送信内容の確認 — everything the recipients will receive (envelope, recipients in
// signing order with their identity check and access code, the fields placed for each, the documents),
// then 送信する. Nothing is sent before this screen.
import { useEffect, useState } from 'react';
import { apiGet, apiPost } from '../../api/client.ts';
import { errorMessage } from '../../api/messages.ts';
import type { Envelope } from '../../api/types.ts';
import type { ApprovalRoute } from '../../api/approval-types.ts';
import { Alert } from '../../components/alert.tsx';
import { Field } from '../../components/form-parts.tsx';
import { MessageBox } from '../../components/message-box.tsx';
import { Loading, StatePanel } from '../../components/state-panel.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { formatDateTime } from '../../i18n/translate.ts';
import { setFlash } from '../../lib/flash.ts';
import { navigate } from '../../lib/router.ts';
import { Link } from '../../lib/use-location.tsx';
import { ReviewDocumentsSection, ReviewRecipientsSection } from './envelope-summary-sections.tsx';
import { SenderShell } from './sender-session.tsx';

/** The review-before-sending page. */
export function EnvelopeReviewPage({ id }: { id: string }) {
  const { t } = useI18n();
  return (
    <SenderShell width="normal" title={t('review.title')}>
      <Review id={id} />
    </SenderShell>
  );
}

function Review({ id }: { id: string }) {
  const { t, language, describeError } = useI18n();
  const base = `/api/v1/envelopes/${encodeURIComponent(id)}`;
  const [envelope, setEnvelope] = useState<Envelope | null>(null);
  const [fieldCounts, setFieldCounts] = useState<Map<string, number>>(new Map());
  const [loadError, setLoadError] = useState<string | null>(null);
  const [sendError, setSendError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [routes, setRoutes] = useState<{ items: ApprovalRoute[]; requiredRouteId: string | null } | null>(null);
  const [routeId, setRouteId] = useState('');

  useEffect(() => {
    let canceled = false;
    Promise.all([apiGet<Envelope>(base), apiGet<{ items: Array<{ recipientId: string }> }>(`${base}/fields`)])
      .then(([value, fields]) => {
        if (canceled) return;
        const counts = new Map<string, number>();
        for (const f of fields.items) counts.set(f.recipientId, (counts.get(f.recipientId) ?? 0) + 1);
        setFieldCounts(counts);
        setEnvelope(value);
      })
      .catch((caught: unknown) => !canceled && setLoadError(describeError(caught)));
    apiGet<{ items: ApprovalRoute[]; requiredRouteId: string | null }>('/api/v1/approval-routes')
      .then((list) => !canceled && setRoutes(list))
      .catch(() => !canceled && setRoutes({ items: [], requiredRouteId: null }));
    return () => {
      canceled = true;
    };
  }, [base, describeError]);

  async function send() {
    if (sending) return;
    setSending(true);
    setSendError(null);
    try {
      const chosen = routes?.requiredRouteId ?? (routeId || null);
      const result = await apiPost<Envelope>(`${base}/send`, { approvalRouteId: chosen });
      setFlash({ tone: 'success', text: t(result.status === 'pending_approval' ? 'env.submitted' : 'env.sent') });
      navigate(`/envelopes/${encodeURIComponent(id)}`);
    } catch (caught) {
      setSendError(errorMessage(language, caught));
      setSending(false);
    }
  }

  if (loadError) return <StatePanel tone="error" title={loadError} />;
  if (!envelope) return <Loading label={t('common.loading')} />;
  const envelopeHref = `/envelopes/${encodeURIComponent(envelope.id)}`;
  if (envelope.status !== 'draft')
    return (
      <StatePanel tone="neutral" title={t('review.notDraft')}>
        <Link href={envelopeHref} className="btn btn--secondary">
          {t('env.details')}
        </Link>
      </StatePanel>
    );
  const requiredRoute = routes?.items.find((r) => r.id === routes.requiredRouteId) ?? null;
  const approvalApplies = requiredRoute !== null || routeId !== '';

  return (
    <>
      <div className="page-head">
        <div className="page-head__main">
          <Link href={envelopeHref} className="back-link">
            <span aria-hidden="true">←</span> {envelope.name}
          </Link>
          <h1 className="page-title">{t('review.title')}</h1>
        </div>
      </div>
      <p className="lead">{t('review.lead')}</p>
      {sendError && <Alert tone="error">{sendError}</Alert>}

      <section className="card" aria-labelledby="review-basics">
        <h2 id="review-basics" className="section-title">
          {t('review.basics')}
        </h2>
        <dl className="facts">
          <div className="facts__row">
            <dt>{t('review.name')}</dt>
            <dd>{envelope.name}</dd>
          </div>
          <div className="facts__row">
            <dt>{t('review.expires')}</dt>
            <dd>{envelope.expiresAt ? formatDateTime(language, envelope.expiresAt) : t('review.noExpiry')}</dd>
          </div>
          {!envelope.message && (
            <div className="facts__row">
              <dt>{t('review.message')}</dt>
              <dd>{t('review.none')}</dd>
            </div>
          )}
        </dl>
        {envelope.message && <MessageBox heading="h3" title={t('review.message')} text={envelope.message} />}
      </section>

      <ReviewRecipientsSection
        envelope={envelope}
        fieldCounts={fieldCounts}
        title={t('review.recipients')}
        footnote={<p className="muted small">{t('review.codeNote')}</p>}
      />

      <ReviewDocumentsSection envelope={envelope} />

      {routes && (routes.items.length > 0 || requiredRoute) && (
        <section className="card" aria-labelledby="review-approval">
          <h2 id="review-approval" className="section-title">
            {t('review.approval.title')}
          </h2>
          {requiredRoute ? (
            <p data-testid="required-route">{t('review.approval.required', { name: requiredRoute.name })}</p>
          ) : (
            <Field id="review-approval-route" label={t('approval.route')}>
              <select
                id="review-approval-route"
                className="input"
                value={routeId}
                onChange={(e) => setRouteId(e.target.value)}
              >
                <option value="">{t('review.approval.none')}</option>
                {routes.items.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
              </select>
            </Field>
          )}
          <p className="muted small">{t('review.approval.hint')}</p>
        </section>
      )}

      <div className="form-actions">
        <p className="muted small">{approvalApplies ? t('review.approval.hint') : t('review.firstMail')}</p>
        <div className="button-row">
          <button
            type="button"
            className="btn btn--secondary btn--large"
            disabled={sending}
            onClick={() => navigate(`/envelopes/${encodeURIComponent(envelope.id)}/edit`)}
          >
            {t('review.edit')}
          </button>
          <button
            type="button"
            className="btn btn--primary btn--large"
            onClick={send}
            disabled={sending}
            aria-busy={sending}
          >
            {sending ? t('review.sending') : approvalApplies ? t('review.approval.submit') : t('review.send')}
          </button>
        </div>
      </div>
    </>
  );
}
