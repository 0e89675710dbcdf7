// /contracts/renewals: 長期保存（タイムスタンプ更新）— the stored PDFs with the next renewal of their
// archive timestamp, and the renewals done (GET /api/v1/renewals): the organisation's sealed files and
// imports, or with ?scope=personal (and for a personal account) the account's 保管 copies and imports.
import { useEffect, useState, type ReactNode } from 'react';
import { apiGet } from '../../api/client.ts';
import { errorMessage } from '../../api/messages.ts';
import type { ArchiveRenewalItem, ArchiveRenewals } from '../../api/register-types.ts';
import { Alert } from '../../components/alert.tsx';
import { ShortHash } from '../../components/short-hash.tsx';
import { Loading } from '../../components/state-panel.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { formatDate, formatDateTime } from '../../i18n/translate.ts';
import { registerViewOf, scopedPath } from '../../lib/register-scope.ts';
import { Link, useLocation } from '../../lib/use-location.tsx';
import { SenderShell } from '../sender/sender-session.tsx';

/** The renewals page. */
export function RenewalsPage() {
  const { t, language } = useI18n();
  const view = registerViewOf(useLocation());
  const [data, setData] = useState<ArchiveRenewals | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let canceled = false;
    apiGet<ArchiveRenewals>(scopedPath('/api/v1/renewals', view))
      .then((result) => !canceled && setData(result))
      .catch((caught: unknown) => !canceled && setError(caught ?? new Error('load failed')));
    return () => {
      canceled = true;
    };
  }, [view]);

  // The columns both tables have.
  const fileColumn: RenewalColumn<ArchiveRenewalItem> = {
    label: t('renewal.col.file'),
    cell: (item) => (
      <>
        <span className="renewal-file">
          {item.subjectKind === 'certificate' || item.subjectKind === 'claimed-certificate'
            ? t('renewal.certificate')
            : item.name}
        </span>
        <span className="small muted renewal-envelope">
          {item.contractId !== null ? (
            <>
              {t(item.subjectKind === 'imported' ? 'renewal.kind.imported' : 'renewal.kind.claimed')}
              <Link href={scopedPath(`/contracts/${encodeURIComponent(item.contractId)}`, view)}>
                {item.contractTitle}
              </Link>
            </>
          ) : (
            item.envelopeId !== null && (
              <Link href={`/envelopes/${encodeURIComponent(item.envelopeId)}`}>{item.envelopeName}</Link>
            )
          )}
        </span>
      </>
    ),
  };
  const versionColumn: RenewalColumn<ArchiveRenewalItem> = {
    label: t('renewal.col.version'),
    cell: (item) => t('renewal.version', { n: item.version }),
  };
  const dueNow = data?.upcoming.filter((item) => item.due).length ?? 0;

  return (
    <SenderShell title={t('renewal.title')}>
      <Link href={scopedPath('/contracts', view)} className="back-link">
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

          <RenewalSection
            id="upcoming-title"
            title={t('renewal.upcoming')}
            empty={t('renewal.none')}
            items={data.upcoming}
            footer={<p className="small muted">{t('renewal.daily')}</p>}
            columns={[
              {
                label: t('renewal.col.due'),
                cell: (item) => (
                  <>
                    {item.dueAt === null ? (
                      <span className="muted">{t('renewal.cannot')}</span>
                    ) : (
                      formatDate(language, item.dueAt)
                    )}{' '}
                    {item.due && <span className="badge badge--renewal-due">{t('renewal.badge.due')}</span>}
                  </>
                ),
              },
              fileColumn,
              versionColumn,
              {
                label: t('renewal.col.tsaExpires'),
                cell: (item) => (
                  <>
                    {formatDate(language, item.tsaExpiresAt)}
                    {item.timestampHash && (
                      <span className="small muted"> {item.timestampHash.toUpperCase().replace('SHA', 'SHA-')}</span>
                    )}
                  </>
                ),
              },
              {
                label: t('renewal.col.sha256'),
                cell: (item) => (
                  <>
                    <ShortHash value={item.sha256} />
                    {item.version > 1 && (
                      <span className="small muted renewal-original">
                        {t('renewal.original')} <ShortHash value={item.sha256Original} />
                      </span>
                    )}
                  </>
                ),
              },
            ]}
          />
          <RenewalSection
            id="done-title"
            title={t('renewal.done')}
            empty={t('renewal.noneDone')}
            items={data.done}
            columns={[
              { label: t('renewal.col.renewedAt'), cell: (item) => formatDateTime(language, item.renewedAt) },
              fileColumn,
              versionColumn,
              {
                label: t('renewal.col.reason'),
                cell: (item) => t(item.reason === 'weak-hash' ? 'renewal.reason.weakHash' : 'renewal.reason.tsaExpiry'),
              },
              {
                label: t('renewal.col.hashes'),
                className: 'renewal-hashes',
                cell: (item) => (
                  <>
                    <span>
                      {t('renewal.before')} <ShortHash value={item.sha256Previous} />
                    </span>
                    <span>
                      {t('renewal.after')} <ShortHash value={item.sha256} />
                    </span>
                    <span className="muted">
                      {t('renewal.original')} <ShortHash value={item.sha256Original} />
                    </span>
                  </>
                ),
              },
            ]}
          />
        </>
      )}
    </SenderShell>
  );
}

/** One column of a renewal table: its heading (also the phone layout's cell label) and its cell. */
interface RenewalColumn<T> {
  label: string;
  cell: (item: T) => ReactNode;
  className?: string;
}

/** A card with a titled table of stored PDFs (one row per file version), or its empty text. */
function RenewalSection<T extends ArchiveRenewalItem>(props: {
  id: string;
  title: string;
  empty: string;
  items: readonly T[];
  columns: ReadonlyArray<RenewalColumn<T>>;
  footer?: ReactNode;
}) {
  const { id, title, empty, items, columns, footer } = props;
  return (
    <section className="card" aria-labelledby={id}>
      <h2 className="section-title" id={id}>
        {title}
      </h2>
      {items.length === 0 ? (
        <p className="empty">{empty}</p>
      ) : (
        <div className="table-wrap">
          <table className="table renewal-table">
            <thead>
              <tr>
                {columns.map((column) => (
                  <th scope="col" key={column.label}>
                    {column.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={`${item.envelopeId ?? item.contractId}-${item.subjectKind}-${item.name}-${item.version}`}>
                  {columns.map((column) => (
                    <td data-label={column.label} className={column.className} key={column.label}>
                      {column.cell(item)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {footer}
    </section>
  );
}
