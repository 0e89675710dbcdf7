// /contracts/deadlines: the contracts whose 契約満了日 or 解約通知期限 falls in the coming days, soonest
// first (GET /api/v1/contracts/deadlines).
import { useEffect, useState } from 'react';
import { apiGet } from '../../api/client.ts';
import { errorMessage } from '../../api/messages.ts';
import type { ContractDeadline } from '../../api/register-types.ts';
import { Alert } from '../../components/alert.tsx';
import { Loading } from '../../components/state-panel.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { registerViewOf, scopedPath } from '../../lib/register-scope.ts';
import { Link, useLocation } from '../../lib/use-location.tsx';
import { SenderShell } from '../sender/sender-session.tsx';
import { formatIsoDate, formatYen } from './format.ts';

const WINDOWS = [30, 60, 90, 180, 366];

/** The deadlines page. */
export function DeadlinesPage() {
  const { t, language } = useI18n();
  const view = registerViewOf(useLocation());
  const [days, setDays] = useState(90);
  const [items, setItems] = useState<ContractDeadline[] | null>(null);
  // The failure itself: its message is written in the language of the moment.
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let canceled = false;
    setItems(null);
    setError(null);
    apiGet<{ items: ContractDeadline[] }>(scopedPath(`/api/v1/contracts/deadlines?days=${days}`, view))
      .then((result) => !canceled && setItems(result.items))
      .catch((caught: unknown) => !canceled && setError(caught ?? new Error('load failed')));
    return () => {
      canceled = true;
    };
  }, [days, view]);

  return (
    <SenderShell title={t('reg.deadlines')}>
      <Link href={scopedPath('/contracts', view)} className="back-link">
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
      {error !== null && <Alert tone="error">{errorMessage(language, error)}</Alert>}
      {!items && error === null && <Loading label={t('common.loading')} />}
      {items && items.length === 0 && <p className="empty">{t('reg.deadlines.none')}</p>}
      {items && items.length > 0 && (
        <div className="table-wrap">
          <table className="table register-table">
            <thead>
              <tr>
                <th scope="col">{t('reg.deadlines.due')}</th>
                <th scope="col">{t('reg.deadlines.kind')}</th>
                <th scope="col">{t('reg.col.title')}</th>
                <th scope="col">{t('reg.col.counterparty')}</th>
                <th scope="col">{t('reg.col.amount')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={`${item.kind}-${item.contract.id}`}>
                  <td data-label={t('reg.deadlines.due')} className="deadline-date">
                    {formatIsoDate(language, item.dueOn)}
                    <span className="small muted"> {t('reg.deadlines.daysLeft', { n: item.daysLeft })}</span>
                  </td>
                  <td data-label={t('reg.deadlines.kind')}>
                    {t(item.kind === 'end' ? 'reg.field.endDate' : 'reg.field.noticeDate')}
                  </td>
                  <td data-label={t('reg.col.title')}>
                    <Link href={scopedPath(`/contracts/${encodeURIComponent(item.contract.id)}`, view)}>
                      {item.contract.title}
                    </Link>
                  </td>
                  <td data-label={t('reg.col.counterparty')}>
                    {item.contract.counterparties.join('、') || t('common.dash')}
                  </td>
                  <td data-label={t('reg.col.amount')}>{formatYen(t, item.contract.amount, item.contract.tax)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </SenderShell>
  );
}
