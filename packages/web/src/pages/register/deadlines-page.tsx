// /contracts/deadlines: the contracts whose 契約満了日 or 解約通知期限 falls in the coming days.
import { useState } from 'react';
import type { ContractSummary } from '../../api/register-types.ts';
import { PagedTable } from '../../components/paged-table.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { Link } from '../../lib/use-location.tsx';
import { usePagedList } from '../../lib/use-paged-list.tsx';
import { SenderShell } from '../sender/sender-session.tsx';
import { formatIsoDate, formatYen } from './format.ts';

const WINDOWS = [30, 60, 90, 180];

function isoDay(offsetDays: number): string {
  const day = new Date();
  day.setDate(day.getDate() + offsetDays);
  return `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
}

/** The deadlines page. */
export function DeadlinesPage() {
  const { t } = useI18n();
  const [days, setDays] = useState(90);
  return (
    <SenderShell title={t('reg.deadlines')}>
      <Link href="/contracts" className="back-link">
        ← {t('reg.title')}
      </Link>
      <div className="page-head">
        <h1 className="page-title">{t('reg.deadlines')}</h1>
        <label className="deadline-window">
          <span>{t('reg.deadlines.window')}</span>
          <select className="input select" value={days} onChange={(event) => setDays(Number(event.target.value))}>
            {WINDOWS.map((value) => (
              <option key={value} value={value}>
                {t('reg.deadlines.days', { n: value })}
              </option>
            ))}
          </select>
        </label>
      </div>
      <DeadlineTable kind="notice" days={days} />
      <DeadlineTable kind="end" days={days} />
    </SenderShell>
  );
}

function DeadlineTable({ kind, days }: { kind: 'end' | 'notice'; days: number }) {
  const { t, language } = useI18n();
  const list = usePagedList<ContractSummary>((cursor) => {
    const query = new URLSearchParams({ [`${kind}From`]: isoDay(0), [`${kind}To`]: isoDay(days), sort: `${kind}On`, limit: '50' });
    if (cursor) query.set('cursor', cursor);
    return `/api/v1/contracts?${query.toString()}`;
  });
  const dateLabel = kind === 'end' ? t('reg.col.endOn') : t('reg.field.noticeDate');
  return (
    <section className="deadline-section" aria-labelledby={`deadline-${kind}`}>
      <h2 className="section-title" id={`deadline-${kind}`}>
        {kind === 'end' ? t('reg.deadlines.end') : t('reg.deadlines.notice')}
      </h2>
      <PagedTable
        list={list}
        className="register-table"
        columns={[dateLabel, t('reg.col.title'), t('reg.col.counterparty'), t('reg.col.amount')]}
        empty={t('reg.deadlines.none')}
        row={(item) => (
          <tr key={item.id}>
            <td data-label={dateLabel} className="deadline-date">
              {formatIsoDate(language, kind === 'end' ? item.endOn : item.noticeOn)}
            </td>
            <td data-label={t('reg.col.title')}>
              <Link href={`/contracts/${encodeURIComponent(item.id)}`}>{item.title}</Link>
            </td>
            <td data-label={t('reg.col.counterparty')}>{item.counterparties.join('、') || t('common.dash')}</td>
            <td data-label={t('reg.col.amount')}>{formatYen(t, item.amount, item.tax)}</td>
          </tr>
        )}
      />
    </section>
  );
}
