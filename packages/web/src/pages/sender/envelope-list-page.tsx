// /envelopes: status tabs, search by name, one row per envelope, 新規作成. The 承認待ち tab (稟議) counts the
// envelopes waiting for the signed-in member's approval and lists them above the envelopes awaiting approval.
import { useEffect, useState, type FormEvent } from 'react';
import { apiGet } from '../../api/client.ts';
import type { ApprovalInboxItem } from '../../api/approval-types.ts';
import type { EnvelopeStatus, EnvelopeSummary } from '../../api/types.ts';
import { PagedTable } from '../../components/paged-table.tsx';
import { EnvelopeStatusBadge, RecipientStatusBadge } from '../../components/status-badge.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { formatDate, type MessageKey } from '../../i18n/translate.ts';
import { navigate } from '../../lib/router.ts';
import { Link, useLocation } from '../../lib/use-location.tsx';
import { usePagedList } from '../../lib/use-paged-list.tsx';
import { ApprovalInboxList } from '../approvals/approval-pages.tsx';
import { SenderShell } from './sender-session.tsx';

const FILTERS: ('all' | Exclude<EnvelopeStatus, 'expired'>)[] = [
  'all',
  'draft',
  'pending_approval',
  'sent',
  'completed',
  'declined',
  'canceled',
];
const PAGE_SIZE = 50;

/** The envelope list (filter and search live in the URL so that back/forward keep them). */
export function EnvelopeListPage() {
  const { t } = useI18n();
  return (
    <SenderShell title={t('list.title')}>
      <EnvelopeList />
    </SenderShell>
  );
}

function EnvelopeList() {
  const { t, language } = useI18n();
  const location = useLocation();
  const params = new URLSearchParams(location.includes('?') ? location.slice(location.indexOf('?')) : '');
  const status = (FILTERS as string[]).includes(params.get('status') ?? '')
    ? (params.get('status') as (typeof FILTERS)[number])
    : 'all';
  const query = params.get('q') ?? '';
  const [search, setSearch] = useState(query);
  // 承認待ち: the envelopes on which the signed-in member decides now (the tab's count).
  const [inbox, setInbox] = useState<ApprovalInboxItem[] | null>(null);
  useEffect(() => {
    let canceled = false;
    apiGet<{ items: ApprovalInboxItem[] }>('/api/v1/approvals')
      .then((page) => !canceled && setInbox(page.items))
      .catch(() => !canceled && setInbox([]));
    return () => {
      canceled = true;
    };
  }, []);
  const list = usePagedList<EnvelopeSummary>((cursor) => {
    const qs = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (status !== 'all') qs.set('status', status);
    if (query) qs.set('q', query);
    if (cursor) qs.set('cursor', cursor);
    return `/api/v1/envelopes?${qs.toString()}`;
  });

  function go(nextStatus: string, nextQuery: string) {
    const qs = new URLSearchParams();
    if (nextStatus !== 'all') qs.set('status', nextStatus);
    if (nextQuery) qs.set('q', nextQuery);
    const suffix = qs.toString();
    navigate(`/envelopes${suffix ? `?${suffix}` : ''}`);
  }

  function onSearch(event: FormEvent) {
    event.preventDefault();
    go(status, search.trim());
  }

  return (
    <>
      <div className="page-head">
        <h1 className="page-title">{t('list.title')}</h1>
        <div className="button-row">
          <Link href="/templates" className="btn btn--secondary">
            {t('nav.templates')}
          </Link>
          <Link href="/envelopes/new" className="btn btn--primary">
            <span aria-hidden="true">＋</span> {t('list.new')}
          </Link>
        </div>
      </div>

      <div className="list-controls">
        <nav className="filter-tabs" aria-label={t('list.filter')}>
          {FILTERS.map((value) => (
            <Link
              key={value}
              href={`/envelopes${value === 'all' ? '' : `?status=${value}`}${query ? `${value === 'all' ? '?' : '&'}q=${encodeURIComponent(query)}` : ''}`}
              className="filter-tabs__tab"
              aria-current={status === value ? 'page' : undefined}
            >
              {t(`list.tab.${value}` as MessageKey)}
              {value === 'pending_approval' && inbox !== null && inbox.length > 0 && (
                <span
                  className="filter-tabs__count"
                  data-testid="approval-count"
                  aria-label={t('list.tab.countLabel', { label: t('list.approvals.mine'), n: inbox.length })}
                >
                  {inbox.length}
                </span>
              )}
            </Link>
          ))}
        </nav>
        <form className="search" role="search" onSubmit={onSearch}>
          <label htmlFor="envelope-search" className="visually-hidden">
            {t('list.search')}
          </label>
          <input
            id="envelope-search"
            className="input search__input"
            type="search"
            placeholder={t('list.search')}
            value={search}
            onChange={(event) => setSearch(event.target.value)}
          />
          <button type="submit" className="btn btn--secondary">
            {t('list.searchButton')}
          </button>
        </form>
      </div>

      {status === 'pending_approval' && (
        <section className="list-approvals" aria-labelledby="list-approvals-mine">
          <h2 id="list-approvals-mine" className="section-title">
            {t('list.approvals.mine')}
          </h2>
          {inbox === null ? null : inbox.length === 0 ? (
            <p className="muted">{t('list.approvals.mineEmpty')}</p>
          ) : (
            <ApprovalInboxList items={inbox} />
          )}
          <h2 className="section-title">{t('list.approvals.sent')}</h2>
        </section>
      )}

      <PagedTable
        list={list}
        className="envelope-table"
        columns={[t('list.col.name'), t('list.col.status'), t('list.col.recipients'), t('list.col.dates')]}
        empty={status === 'pending_approval' ? t('list.approvals.sentEmpty') : t('list.empty')}
        row={(item) => (
          <tr key={item.id}>
            <td className="envelope-table__name" data-label={t('list.col.name')}>
              <Link href={`/envelopes/${encodeURIComponent(item.id)}`}>{item.name}</Link>
            </td>
            <td data-label={t('list.col.status')}>
              <EnvelopeStatusBadge status={item.status} />
            </td>
            <td data-label={t('list.col.recipients')}>
              <ul className="recipient-chips">
                {item.recipients.map((recipient, index) => (
                  <li key={index} className="recipient-chips__item">
                    <span className="recipient-chips__name">{recipient.name}</span>
                    {recipient.role === 'cc' ? (
                      <span className="tag">CC</span>
                    ) : (
                      <RecipientStatusBadge status={recipient.status} envelopeStatus={item.status} />
                    )}
                  </li>
                ))}
              </ul>
            </td>
            <td data-label={t('list.col.dates')}>
              <div className="envelope-table__dates">
                <span>{t('list.created', { date: formatDate(language, item.createdAt) })}</span>
                {item.sentAt && <span>{t('list.sent', { date: formatDate(language, item.sentAt) })}</span>}
                {item.completedAt && (
                  <span>{t('list.completed', { date: formatDate(language, item.completedAt) })}</span>
                )}
              </div>
            </td>
          </tr>
        )}
      />
    </>
  );
}
