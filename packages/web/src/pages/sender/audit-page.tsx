// /audit (操作ログ): the organisation's operation log for administrators — filters (period, actor,
// action, envelope) kept in the URL, newest first with さらに表示, and the CSV export of the same filter.
import { useEffect, useState, type FormEvent } from 'react';
import type { AuditEvent } from '../../api/types.ts';
import { PagedTable } from '../../components/paged-table.tsx';
import { StatePanel } from '../../components/state-panel.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { isMessageKey, type MessageKey } from '../../i18n/translate.ts';
import { navigate } from '../../lib/router.ts';
import { Link, useLocation } from '../../lib/use-location.tsx';
import { usePagedList } from '../../lib/use-paged-list.tsx';
import { SenderShell, useUser } from './sender-session.tsx';

const PAGE_SIZE = 50;
const FILTER_KEYS = ['from', 'to', 'actor', 'action', 'envelopeId'] as const;
type Filter = Record<(typeof FILTER_KEYS)[number], string>;

/** Action choices: groups (a prefix ending in a dot) and single actions. */
const ACTION_GROUPS = ['envelope.', 'recipient.', 'mail.', 'session.', 'apikey.', 'member.'] as const;
const SINGLE_ACTIONS = [
  'document.downloaded',
  'certificate.downloaded',
  'key.used',
  'organization.settings-changed',
  'organization.profile-changed',
  'organization.logo-changed',
  'audit.exported',
] as const;

/** The page (administrators only; others see a notice). */
export function AuditPage() {
  const { t } = useI18n();
  return (
    <SenderShell title={t('audit.title')}>
      <AuditLog />
    </SenderShell>
  );
}

function filterFrom(location: string): Filter {
  const params = new URLSearchParams(location.includes('?') ? location.slice(location.indexOf('?')) : '');
  return Object.fromEntries(FILTER_KEYS.map((key) => [key, params.get(key) ?? ''])) as Filter;
}

function queryOf(filter: Filter, extra: Record<string, string> = {}): string {
  const qs = new URLSearchParams();
  for (const key of FILTER_KEYS) if (filter[key].trim()) qs.set(key, filter[key].trim());
  for (const [key, value] of Object.entries(extra)) qs.set(key, value);
  return qs.toString();
}

function AuditLog() {
  const { t } = useI18n();
  const user = useUser();
  const location = useLocation();
  const applied = filterFrom(location);
  const appliedKey = queryOf(applied);
  const [draft, setDraft] = useState<Filter>(applied);
  const list = usePagedList<AuditEvent>(
    (cursor) => `/api/v1/audit-events?${queryOf(applied, { limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) })}`,
    user.role === 'admin',
  );

  useEffect(() => {
    if (user.role === 'admin') setDraft(applied);
    // appliedKey is `applied` serialised: the object itself is new on every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- keyed on the serialised filter
  }, [appliedKey]);

  if (user.role !== 'admin') return <StatePanel tone="warning" title={t('audit.adminsOnly')} />;

  function apply(event: FormEvent) {
    event.preventDefault();
    const query = queryOf(draft);
    navigate(`/audit${query ? `?${query}` : ''}`);
  }

  const field = (key: keyof Filter) => ({
    id: `audit-${key}`,
    value: draft[key],
    onChange: (event: { target: { value: string } }) => setDraft({ ...draft, [key]: event.target.value }),
  });
  const csvHref = `/api/v1/audit-events.csv${appliedKey ? `?${appliedKey}` : ''}`;

  return (
    <>
      <div className="page-head">
        <div className="page-head__main">
          <h1 className="page-title">{t('audit.title')}</h1>
          <p className="muted">{t('audit.lead')}</p>
        </div>
        <a className="btn btn--secondary" href={csvHref} download>
          {t('audit.csv')}
        </a>
      </div>

      <form className="card audit-filters" onSubmit={apply} aria-label={t('audit.filters')}>
        <div className="audit-filters__grid">
          <div className="field">
            <label className="field__label" htmlFor="audit-from">
              {t('audit.from')}
            </label>
            <input className="input" type="date" {...field('from')} />
          </div>
          <div className="field">
            <label className="field__label" htmlFor="audit-to">
              {t('audit.to')}
            </label>
            <input className="input" type="date" {...field('to')} />
          </div>
          <div className="field">
            <label className="field__label" htmlFor="audit-actor">
              {t('audit.actor')}
            </label>
            <input className="input" type="search" placeholder={t('audit.actorPlaceholder')} {...field('actor')} />
          </div>
          <div className="field">
            <label className="field__label" htmlFor="audit-action">
              {t('audit.action')}
            </label>
            <select className="input select" {...field('action')}>
              <option value="">{t('audit.action.all')}</option>
              <optgroup label={t('audit.action.groups')}>
                {ACTION_GROUPS.map((group) => (
                  <option key={group} value={group}>
                    {t(`audit.group.${group.slice(0, -1)}` as MessageKey)}
                  </option>
                ))}
              </optgroup>
              <optgroup label={t('audit.action.single')}>
                {SINGLE_ACTIONS.map((action) => (
                  <option key={action} value={action}>
                    {actionLabel(t, action)}
                  </option>
                ))}
              </optgroup>
            </select>
          </div>
          <div className="field">
            <label className="field__label" htmlFor="audit-envelopeId">
              {t('audit.envelope')}
            </label>
            <input
              className="input mono"
              placeholder={t('audit.envelopePlaceholder')}
              spellCheck={false}
              {...field('envelopeId')}
            />
          </div>
        </div>
        <div className="button-row audit-filters__buttons">
          <Link href="/audit" className="btn btn--ghost">
            {t('audit.clear')}
          </Link>
          <button type="submit" className="btn btn--primary">
            {t('audit.apply')}
          </button>
        </div>
      </form>

      <PagedTable
        list={list}
        className="audit-table"
        columns={[
          t('audit.col.time'),
          t('audit.col.action'),
          t('audit.col.actor'),
          t('audit.col.envelope'),
          t('audit.col.origin'),
        ]}
        empty={t('audit.empty')}
        row={(event) => <AuditRow key={event.id} event={event} />}
      />
    </>
  );
}

function actionLabel(t: (key: MessageKey) => string, action: string): string {
  const key = `action.${action}`;
  return isMessageKey(key) ? t(key) : action;
}

/** `2026/11/25 18:04:05` in the viewer's time zone (the log is read to the second). */
function preciseTime(language: string, iso: string): string {
  return new Intl.DateTimeFormat(language === 'ja' ? 'ja-JP' : 'en-GB', {
    dateStyle: 'short',
    timeStyle: 'medium',
  }).format(new Date(iso));
}

function detailLines(details: Record<string, unknown>): string[] {
  return Object.entries(details).map(
    ([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`,
  );
}

function AuditRow({ event }: { event: AuditEvent }) {
  const { t, language } = useI18n();
  const typeKey = `actor.${event.actor.type}`;
  const lines = detailLines(event.details ?? {});
  return (
    <tr>
      <td className="audit-table__time" data-label={t('audit.col.time')}>
        <time dateTime={event.createdAt}>{preciseTime(language, event.createdAt)}</time>
      </td>
      <td data-label={t('audit.col.action')}>
        <span className="audit-table__action">{actionLabel(t, event.action)}</span>
        <span className="audit-table__code mono">{event.action}</span>
        {lines.length > 0 && (
          <details className="audit-table__details">
            <summary>{t('audit.details')}</summary>
            <pre>{lines.join('\n')}</pre>
          </details>
        )}
      </td>
      <td data-label={t('audit.col.actor')}>
        <span className="audit-table__actor">{event.actor.name}</span>
        <span className="audit-table__type">{isMessageKey(typeKey) ? t(typeKey) : event.actor.type}</span>
      </td>
      <td data-label={t('audit.col.envelope')}>
        {event.envelope ? (
          <Link href={`/envelopes/${encodeURIComponent(event.envelope.id)}`}>
            {event.envelope.name ?? event.envelope.id}
          </Link>
        ) : (
          <span className="muted">{t('common.dash')}</span>
        )}
      </td>
      <td data-label={t('audit.col.origin')} className="audit-table__origin">
        {event.ip ? <span className="mono">{event.ip}</span> : <span className="muted">{t('common.dash')}</span>}
        {event.userAgent && (
          <span className="audit-table__agent" title={event.userAgent}>
            {event.userAgent}
          </span>
        )}
      </td>
    </tr>
  );
}
