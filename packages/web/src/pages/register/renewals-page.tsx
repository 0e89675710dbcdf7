// /contracts/renewals: 長期保存（タイムスタンプ更新）— the stored, sealed PDFs of the organisation with the
// next renewal of their archive timestamp, and the renewals done (GET /api/v1/renewals).
import { useEffect, useState } from 'react';
import { apiGet } from '../../api/client.ts';
import { errorMessage } from '../../api/messages.ts';
import type { ArchiveRenewalItem, ArchiveRenewals } from '../../api/register-types.ts';
import { Alert } from '../../components/alert.tsx';
import { ShortHash } from '../../components/short-hash.tsx';
import { Loading } from '../../components/state-panel.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { formatDate, formatDateTime } from '../../i18n/translate.ts';
import { Link } from '../../lib/use-location.tsx';
import { SenderShell } from '../sender/sender-session.tsx';

/** The renewals page. */
export function RenewalsPage() {
  const { t, language } = useI18n();
  const [data, setData] = useState<ArchiveRenewals | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let canceled = false;
    apiGet<ArchiveRenewals>('/api/v1/renewals')
      .then((result) => !canceled && setData(result))
      .catch((caught: unknown) => !canceled && setError(caught ?? new Error('load failed')));
    return () => {
      canceled = true;
    };
  }, []);

  const fileCell = (item: ArchiveRenewalItem) => (
    <>
      <span className="renewal-file">{item.subjectKind === 'certificate' ? t('renewal.certificate') : item.name}</span>
      <span className="small muted renewal-envelope">
        <Link href={`/envelopes/${encodeURIComponent(item.envelopeId)}`}>{item.envelopeName}</Link>
      </span>
    </>
  );
  const dueNow = data?.upcoming.filter((item) => item.due).length ?? 0;

  return (
    <SenderShell title={t('renewal.title')}>
      <Link href="/contracts" className="back-link">
        ← {t('reg.title')}
      </Link>
      <div className="page-head">
        <div className="page-head__main">
          <h1 className="page-title">{t('renewal.title')}</h1>
          {data && (
            <p className="muted">
              {t('renewal.lead', {
                days: data.marginDays,
                hash: data.minimumHash.toUpperCase().replace('SHA', 'SHA-'),
              })}
            </p>
          )}
        </div>
      </div>
      {error !== null && <Alert tone="error">{errorMessage(language, error)}</Alert>}
      {!data && error === null && <Loading label={t('common.loading')} />}
      {data && (
        <>
          <ul className="renewal-summary" aria-label={t('renewal.summary')}>
            <li>
              <span className="renewal-summary__figure">{data.upcoming.length}</span>
              <span>{t('renewal.stored')}</span>
            </li>
            <li className={dueNow > 0 ? 'renewal-summary--due' : undefined}>
              <span className="renewal-summary__figure">{dueNow}</span>
              <span>{t('renewal.dueNow')}</span>
            </li>
            <li>
              <span className="renewal-summary__figure">{data.done.length}</span>
              <span>{t('renewal.doneCount')}</span>
            </li>
          </ul>

          <section className="card" aria-labelledby="upcoming-title">
            <h2 className="section-title" id="upcoming-title">
              {t('renewal.upcoming')}
            </h2>
            {data.upcoming.length === 0 ? (
              <p className="empty">{t('renewal.none')}</p>
            ) : (
              <div className="table-wrap">
                <table className="table renewal-table">
                  <thead>
                    <tr>
                      <th scope="col">{t('renewal.col.due')}</th>
                      <th scope="col">{t('renewal.col.file')}</th>
                      <th scope="col">{t('renewal.col.version')}</th>
                      <th scope="col">{t('renewal.col.tsaExpires')}</th>
                      <th scope="col">{t('renewal.col.sha256')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.upcoming.map((item) => (
                      <tr key={`${item.envelopeId}-${item.subjectKind}-${item.name}-${item.version}`}>
                        <td data-label={t('renewal.col.due')}>
                          {item.dueAt === null ? (
                            <span className="muted">{t('renewal.cannot')}</span>
                          ) : (
                            formatDate(language, item.dueAt)
                          )}{' '}
                          {item.due && <span className="badge badge--renewal-due">{t('renewal.badge.due')}</span>}
                        </td>
                        <td data-label={t('renewal.col.file')}>{fileCell(item)}</td>
                        <td data-label={t('renewal.col.version')}>{t('renewal.version', { n: item.version })}</td>
                        <td data-label={t('renewal.col.tsaExpires')}>
                          {formatDate(language, item.tsaExpiresAt)}
                          {item.timestampHash && (
                            <span className="small muted">
                              {' '}
                              {item.timestampHash.toUpperCase().replace('SHA', 'SHA-')}
                            </span>
                          )}
                        </td>
                        <td data-label={t('renewal.col.sha256')}>
                          <ShortHash value={item.sha256} />
                          {item.version > 1 && (
                            <span className="small muted renewal-original">
                              {t('renewal.original')} <ShortHash value={item.sha256Original} />
                            </span>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <p className="small muted">{t('renewal.daily')}</p>
          </section>

          <section className="card" aria-labelledby="done-title">
            <h2 className="section-title" id="done-title">
              {t('renewal.done')}
            </h2>
            {data.done.length === 0 ? (
              <p className="empty">{t('renewal.noneDone')}</p>
            ) : (
              <div className="table-wrap">
                <table className="table renewal-table">
                  <thead>
                    <tr>
                      <th scope="col">{t('renewal.col.renewedAt')}</th>
                      <th scope="col">{t('renewal.col.file')}</th>
                      <th scope="col">{t('renewal.col.version')}</th>
                      <th scope="col">{t('renewal.col.reason')}</th>
                      <th scope="col">{t('renewal.col.hashes')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.done.map((item) => (
                      <tr key={`${item.envelopeId}-${item.subjectKind}-${item.name}-${item.version}`}>
                        <td data-label={t('renewal.col.renewedAt')}>{formatDateTime(language, item.renewedAt)}</td>
                        <td data-label={t('renewal.col.file')}>{fileCell(item)}</td>
                        <td data-label={t('renewal.col.version')}>{t('renewal.version', { n: item.version })}</td>
                        <td data-label={t('renewal.col.reason')}>
                          {t(item.reason === 'weak-hash' ? 'renewal.reason.weakHash' : 'renewal.reason.tsaExpiry')}
                        </td>
                        <td data-label={t('renewal.col.hashes')} className="renewal-hashes">
                          <span>
                            {t('renewal.before')} <ShortHash value={item.sha256Previous} />
                          </span>
                          <span>
                            {t('renewal.after')} <ShortHash value={item.sha256} />
                          </span>
                          <span className="muted">
                            {t('renewal.original')} <ShortHash value={item.sha256Original} />
                          </span>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}
    </SenderShell>
  );
}
