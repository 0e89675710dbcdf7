// /contracts: the register. The 電子帳簿保存法 search fields (取引年月日 as a range, 取引金額 as a
// range, 取引先) come first; the rest is under 詳細検索. Every column sorts; pages are keyset pages;
// CSV出力 exports the current search. The search lives in the URL so that back/forward keep it.
// A member of an organisation switches between the organisation's register and their personal one
// (?scope=personal: contracts they claimed with Inkanで保管, or imported for themselves).
import { useEffect, useState, type FormEvent } from 'react';
import { apiGet } from '../../api/client.ts';
import type { ContractAssignee, ContractFieldDefinition, ContractSummary } from '../../api/register-types.ts';
import { PagedTable } from '../../components/paged-table.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import type { MessageKey } from '../../i18n/translate.ts';
import {
  checkSearch,
  EMPTY_FIELDS,
  hasAdvancedCriteria,
  REGISTER_DATE_FIELDS,
  type RegisterSearch,
  type SearchErrors,
  searchFromParams,
  searchToParams,
} from '../../lib/register-search.ts';
import { registerViewOf, scopedPath, type RegisterView } from '../../lib/register-scope.ts';
import { navigate } from '../../lib/router.ts';
import { Link, useLocation } from '../../lib/use-location.tsx';
import { usePagedList } from '../../lib/use-paged-list.tsx';
import { SenderShell, useUser } from '../sender/sender-session.tsx';
import { formatIsoDate, formatYen } from './format.ts';

const PAGE_SIZE = 50;
const EMPTY_LABELS: Record<(typeof EMPTY_FIELDS)[number], MessageKey> = {
  amount: 'reg.field.amount',
  endOn: 'reg.field.endDate',
  startOn: 'reg.field.startDate',
  noticeOn: 'reg.field.noticeDate',
  counterparties: 'reg.field.counterparties',
  tax: 'reg.field.tax',
  owner: 'reg.field.assignee',
  contractType: 'reg.field.contractType',
  referenceNumber: 'reg.field.referenceNumber',
  tags: 'reg.field.tags',
};
const SORTABLE: Array<{ key: string; label: MessageKey }> = [
  { key: 'title', label: 'reg.col.title' },
  { key: 'counterparty', label: 'reg.col.counterparty' },
  { key: 'signedOn', label: 'reg.col.signedOn' },
  { key: 'endOn', label: 'reg.col.endOn' },
  { key: 'amount', label: 'reg.col.amount' },
  { key: 'status', label: 'reg.col.status' },
];

/** The register's search page. */
export function ContractListPage() {
  const { t } = useI18n();
  const location = useLocation();
  return (
    <SenderShell title={t('reg.title')}>
      {/* A new form for the other register: its search, members and fields are its own. */}
      <ContractList key={registerViewOf(location)} />
    </SenderShell>
  );
}

function ContractList() {
  const { t, language } = useI18n();
  const location = useLocation();
  const applied = searchFromParams(
    new URLSearchParams(location.includes('?') ? location.slice(location.indexOf('?')) : ''),
  );
  const [form, setForm] = useState<RegisterSearch>(applied);
  const [errors, setErrors] = useState<SearchErrors>({});
  const user = useUser();
  // A personal account has only its own register; a member may switch (the organisation's is the default).
  const view: RegisterView = user.organization ? registerViewOf(location) : 'organization';
  const [members, setMembers] = useState<ContractAssignee[]>([]);
  const [definitions, setDefinitions] = useState<ContractFieldDefinition[]>([]);
  useEffect(() => {
    let canceled = false;
    // Who may be 担当者, and the organisation's own fields: both only name choices, so a failure leaves the basic form.
    apiGet<{ items: ContractAssignee[] }>(scopedPath('/api/v1/contracts/members', view))
      .then((result) => !canceled && setMembers(result.items))
      .catch(() => !canceled && setMembers([]));
    apiGet<{ items: ContractFieldDefinition[] }>(scopedPath('/api/v1/contracts/fields', view))
      .then((result) => !canceled && setDefinitions(result.items))
      .catch(() => !canceled && setDefinitions([]));
    return () => {
      canceled = true;
    };
  }, [view]);
  const checked = checkSearch(applied, language, user.id, definitions);
  const apiQuery = checked.ok ? checked.query : new URLSearchParams();
  const list = usePagedList<ContractSummary>((cursor) => {
    const query = new URLSearchParams(apiQuery);
    query.set('limit', String(PAGE_SIZE));
    if (cursor) query.set('cursor', cursor);
    return scopedPath(`/api/v1/contracts?${query.toString()}`, view);
  }, checked.ok);

  function apply(next: RegisterSearch) {
    const result = checkSearch(next, language, user.id, definitions);
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    const params = searchToParams(next).toString();
    navigate(scopedPath(`/contracts${params ? `?${params}` : ''}`, view));
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    apply(form);
  }

  function sortBy(key: string) {
    const sort = applied.sort === key ? `-${key}` : key;
    setForm({ ...form, sort });
    apply({ ...applied, sort });
  }

  const field = (key: Exclude<keyof RegisterSearch, 'fields'>) => ({
    id: `reg-${key}`,
    value: String(form[key]),
    'aria-invalid': errors[key] ? (true as const) : undefined,
    'aria-describedby': errors[key] ? `reg-${key}-error` : undefined,
    onChange: (event: { target: { value: string } }) => setForm({ ...form, [key]: event.target.value }),
  });
  const error = (key: keyof SearchErrors) =>
    errors[key] ? (
      <p className="field__error" id={`reg-${key.replace('.', '-')}-error`}>
        {errors[key]}
      </p>
    ) : null;
  const customField = (key: string) => ({
    id: `reg-field-${key}`,
    value: form.fields[key] ?? '',
    'aria-invalid': errors[`field.${key}`] ? (true as const) : undefined,
    'aria-describedby': errors[`field.${key}`] ? `reg-field-${key}-error` : undefined,
    onChange: (event: { target: { value: string } }) =>
      setForm({ ...form, fields: { ...form.fields, [key]: event.target.value } }),
  });
  const csvQuery = new URLSearchParams(apiQuery);
  if (view === 'personal') csvQuery.set('scope', 'personal');
  const others = members.filter((member) => member.id !== user.id);

  return (
    <>
      <div className="page-head">
        <div className="page-head__main">
          <h1 className="page-title">{t('reg.title')}</h1>
          <p className="muted">{t('reg.lead')}</p>
        </div>
        <div className="button-row">
          <Link href={scopedPath('/contracts/deadlines', view)} className="btn btn--secondary">
            {t('reg.deadlines')}
          </Link>
          <Link href={scopedPath('/contracts/renewals', view)} className="btn btn--secondary">
            {t('renewal.title')}
          </Link>
          <Link href={scopedPath('/contracts/import', view)} className="btn btn--secondary">
            {t('reg.import')}
          </Link>
          <a className="btn btn--secondary" href={`/api/v1/contracts.csv?${csvQuery.toString()}`} download>
            {t('reg.csv')}
          </a>
        </div>
      </div>

      {user.organization && (
        <nav className="register-tabs" aria-label={t('reg.scope.label')}>
          <Link href="/contracts" aria-current={view === 'organization' ? 'page' : undefined}>
            {t('reg.scope.organization', { name: user.organization.name })}
          </Link>
          <Link href="/contracts?scope=personal" aria-current={view === 'personal' ? 'page' : undefined}>
            {t('reg.scope.personal')}
          </Link>
        </nav>
      )}

      <form className="card register-search" role="search" aria-label={t('reg.search')} onSubmit={onSubmit} noValidate>
        <div className="register-search__grid">
          <fieldset className="register-search__group">
            <legend className="field__label">{t('reg.search.date')}</legend>
            <label className="visually-hidden" htmlFor="reg-dateField">
              {t('reg.search.dateField')}
            </label>
            <select className="input select" {...field('dateField')}>
              {REGISTER_DATE_FIELDS.map((value) => (
                <option key={value} value={value}>
                  {t(`reg.dateField.${value}`)}
                </option>
              ))}
            </select>
            <div className="register-search__range">
              <input
                className="input"
                inputMode="text"
                placeholder={t('reg.search.datePlaceholder')}
                aria-label={t('reg.search.from')}
                {...field('dateFrom')}
              />
              <span aria-hidden="true">〜</span>
              <input
                className="input"
                inputMode="text"
                placeholder={t('reg.search.datePlaceholder')}
                aria-label={t('reg.search.to')}
                {...field('dateTo')}
              />
            </div>
            <p className="field__hint">{t('reg.field.dateHint')}</p>
            {error('dateFrom')}
            {error('dateTo')}
          </fieldset>
          <fieldset className="register-search__group">
            <legend className="field__label">{t('reg.search.amount')}</legend>
            <div className="register-search__range">
              <input
                className="input"
                inputMode="numeric"
                placeholder={t('reg.search.amountMin')}
                aria-label={t('reg.search.amountMin')}
                {...field('amountMin')}
              />
              <span aria-hidden="true">〜</span>
              <input
                className="input"
                inputMode="numeric"
                placeholder={t('reg.search.amountMax')}
                aria-label={t('reg.search.amountMax')}
                {...field('amountMax')}
              />
            </div>
            <p className="field__hint">{t('reg.search.amountHint')}</p>
            {error('amountMin')}
            {error('amountMax')}
          </fieldset>
          <div className="field register-search__group">
            <label className="field__label" htmlFor="reg-counterparty">
              {t('reg.search.counterparty')}
            </label>
            <input className="input" type="search" {...field('counterparty')} />
          </div>
        </div>

        <details className="register-search__advanced" open={hasAdvancedCriteria(applied)}>
          <summary>{t('reg.search.advanced')}</summary>
          <div className="register-search__grid">
            <div className="field">
              <label className="field__label" htmlFor="reg-q">
                {t('reg.search.q')}
              </label>
              <input className="input" type="search" {...field('q')} />
            </div>
            <div className="field">
              <label className="field__label" htmlFor="reg-tag">
                {t('reg.search.tag')}
              </label>
              <input className="input" {...field('tag')} />
            </div>
            <div className="field">
              <label className="field__label" htmlFor="reg-status">
                {t('reg.search.status')}
              </label>
              <select className="input select" {...field('status')}>
                <option value="">{t('reg.search.any')}</option>
                {(['active', 'expired', 'terminated'] as const).map((value) => (
                  <option key={value} value={value}>
                    {t(`reg.status.${value}`)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label className="field__label" htmlFor="reg-owner">
                {t('reg.search.assignee')}
              </label>
              <select className="input select" {...field('owner')}>
                <option value="">{t('reg.search.any')}</option>
                <option value="me">{t('reg.search.ownerMe')}</option>
                {others.map((member) => (
                  <option key={member.id} value={member.id}>
                    {member.name || member.email}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label className="field__label" htmlFor="reg-empty">
                {t('reg.search.empty')}
              </label>
              <select className="input select" {...field('empty')}>
                <option value="">{t('reg.search.any')}</option>
                {EMPTY_FIELDS.map((value) => (
                  <option key={value} value={value}>
                    {t(EMPTY_LABELS[value])}
                  </option>
                ))}
                {definitions.map((definition) => (
                  <option key={definition.key} value={`field.${definition.key}`}>
                    {definition.label}
                  </option>
                ))}
              </select>
            </div>
            {definitions.map((definition) => (
              <div className="field" key={definition.key}>
                <label className="field__label" htmlFor={`reg-field-${definition.key}`}>
                  {definition.label}
                </label>
                {definition.type === 'choice' ? (
                  <select className="input select" {...customField(definition.key)}>
                    <option value="">{t('reg.search.any')}</option>
                    {definition.choices.map((choice) => (
                      <option key={choice} value={choice}>
                        {choice}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input
                    className="input"
                    inputMode={definition.type === 'number' ? 'numeric' : 'text'}
                    placeholder={definition.type === 'date' ? t('reg.search.datePlaceholder') : undefined}
                    {...customField(definition.key)}
                  />
                )}
                {error(`field.${definition.key}`)}
              </div>
            ))}
          </div>
        </details>

        <div className="button-row">
          <Link href={scopedPath('/contracts', view)} className="btn btn--ghost">
            {t('reg.search.clear')}
          </Link>
          <button type="submit" className="btn btn--primary">
            {t('reg.search.submit')}
          </button>
        </div>
      </form>

      <PagedTable
        list={list}
        className="register-table"
        columns={SORTABLE.map((column) => t(column.label))}
        empty={t('reg.empty')}
        header={SORTABLE.map((column) => {
          const direction =
            applied.sort === column.key ? 'ascending' : applied.sort === `-${column.key}` ? 'descending' : undefined;
          return (
            <th key={column.key} scope="col" aria-sort={direction ?? 'none'}>
              <button type="button" className="sort-button" onClick={() => sortBy(column.key)}>
                {t(column.label)}
                <span aria-hidden="true" className="sort-button__mark">
                  {direction === 'ascending' ? '▲' : direction === 'descending' ? '▼' : '↕'}
                </span>
              </button>
            </th>
          );
        })}
        row={(item) => (
          <tr key={item.id}>
            <td data-label={t('reg.col.title')} className="register-table__title">
              <Link href={scopedPath(`/contracts/${encodeURIComponent(item.id)}`, view)}>{item.title}</Link>
              {item.source !== 'envelope' && <span className="tag-chip">{t(`reg.source.${item.source}`)}</span>}
            </td>
            <td data-label={t('reg.col.counterparty')}>{item.counterparties.join('、') || t('common.dash')}</td>
            <td data-label={t('reg.col.signedOn')}>{formatIsoDate(language, item.signedOn)}</td>
            <td data-label={t('reg.col.endOn')}>{formatIsoDate(language, item.endOn)}</td>
            <td data-label={t('reg.col.amount')} className="register-table__amount">
              {formatYen(t, item.amount, item.tax)}
            </td>
            <td data-label={t('reg.col.status')}>{t(`reg.status.${item.status}`)}</td>
          </tr>
        )}
      />
    </>
  );
}
