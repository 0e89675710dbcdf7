// /admin/jobs (失敗した処理): the organisation's background jobs that gave up after the retry window
// (72 h), with their last error, and 再実行 for administrators. Japanese first, English second.
import { useCallback, useEffect, useState } from 'react';
import { apiGet, apiPost } from '../../api/client.ts';
import { errorMessage } from '../../api/messages.ts';
import { Alert } from '../../components/alert.tsx';
import { Loading, StatePanel } from '../../components/state-panel.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { isMessageKey } from '../../i18n/translate.ts';
import { Link } from '../../lib/use-location.tsx';
import { useUser } from '../sender/sender-session.tsx';
import { SmallButton } from './admin-list.tsx';

/** One failed job as GET /api/v1/admin/jobs returns it. */
interface FailedJob {
  id: string;
  kind: string;
  attempts: number;
  lastError: string | null;
  firstAttemptAt: string | null;
  failedAt: string | null;
  notifiedAt: string | null;
  envelope: { id: string; name: string } | null;
  /** A given-up webhook delivery: its endpoint and event (再実行 replays it). */
  webhook: { deliveryId: string; endpointId: string; url: string | null; eventType: string } | null;
}

/** 失敗した処理 (administrators only; others see a notice): a section of the administration area. */
export function FailedJobs() {
  const { t, language } = useI18n();
  const user = useUser();
  const isAdmin = user.role === 'admin';
  const [items, setItems] = useState<FailedJob[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      const result = await apiGet<{ items: FailedJob[] }>('/api/v1/admin/jobs?status=failed');
      setItems(result.items);
    } catch (caught) {
      setError(errorMessage(language, caught));
    }
  }, [language]);

  useEffect(() => {
    if (isAdmin) void load();
  }, [isAdmin, load]);

  if (!isAdmin) return <StatePanel tone="warning" title={t('jobs.adminsOnly')} />;

  async function retry(job: FailedJob) {
    setBusy(job.id);
    setNotice(null);
    setError(null);
    try {
      await apiPost(`/api/v1/admin/jobs/${encodeURIComponent(job.id)}/retry`);
      setNotice(t('jobs.retried'));
      await load();
    } catch (caught) {
      setError(errorMessage(language, caught));
    } finally {
      setBusy(null);
    }
  }

  const time = (iso: string | null) =>
    iso
      ? new Intl.DateTimeFormat(language === 'ja' ? 'ja-JP' : 'en-GB', {
          dateStyle: 'short',
          timeStyle: 'short',
        }).format(new Date(iso))
      : t('common.dash');
  const kindLabel = (kind: string) => {
    const key = `jobs.kind.${kind}`;
    return isMessageKey(key) ? t(key) : kind;
  };

  return (
    <>
      <div className="page-head">
        <div className="page-head__main">
          <h1 className="page-title">{t('jobs.title')}</h1>
          <p className="muted">{t('jobs.lead')}</p>
        </div>
        <button type="button" className="btn btn--secondary" onClick={() => void load()}>
          {t('jobs.reload')}
        </button>
      </div>
      {notice && <Alert tone="success">{notice}</Alert>}
      {error && <Alert tone="error">{error}</Alert>}
      {!items && !error && <Loading label={t('common.loading')} />}
      {items && items.length === 0 && <p className="empty">{t('jobs.empty')}</p>}
      {items && items.length > 0 && (
        <div className="table-wrap">
          <table className="table audit-table failed-jobs-table">
            <thead>
              <tr>
                <th scope="col">{t('jobs.col.kind')}</th>
                <th scope="col">{t('jobs.col.envelope')}</th>
                <th scope="col">{t('jobs.col.failedAt')}</th>
                <th scope="col">{t('jobs.col.error')}</th>
                <th scope="col">{t('jobs.col.action')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((job) => (
                <tr key={job.id}>
                  <td data-label={t('jobs.col.kind')}>
                    <span className="audit-table__action">{kindLabel(job.kind)}</span>
                    <span className="audit-table__code mono">{job.kind}</span>
                  </td>
                  <td data-label={t('jobs.col.envelope')}>
                    {job.envelope ? (
                      <Link href={`/envelopes/${encodeURIComponent(job.envelope.id)}`}>{job.envelope.name}</Link>
                    ) : job.webhook ? (
                      <span data-testid="failed-job-webhook">
                        <span className="audit-table__action mono">{job.webhook.eventType}</span>
                        <span className="audit-table__code mono">{job.webhook.url ?? job.webhook.endpointId}</span>
                      </span>
                    ) : (
                      <span className="muted">{t('common.dash')}</span>
                    )}
                  </td>
                  <td data-label={t('jobs.col.failedAt')} className="audit-table__time">
                    <span className="audit-table__actor">{time(job.failedAt)}</span>
                    <span className="audit-table__type">
                      {t('jobs.since', { time: time(job.firstAttemptAt) })} · {t('jobs.col.attempts')} {job.attempts}
                    </span>
                    {job.notifiedAt && <span className="audit-table__type">{t('jobs.notified')}</span>}
                  </td>
                  <td data-label={t('jobs.col.error')}>
                    <pre className="failed-jobs-table__error">{job.lastError ?? t('common.dash')}</pre>
                  </td>
                  <td data-label={t('jobs.col.action')}>
                    <SmallButton
                      tone="primary"
                      onClick={() => void retry(job)}
                      disabled={busy !== null}
                      aria-busy={busy === job.id}
                    >
                      {busy === job.id ? t('jobs.retrying') : t('jobs.retry')}
                    </SmallButton>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
