// /contracts/{id}: one register entry — the signed PDF, its fields (checked with the shared parsers
// as they are typed), the suggestions from the PDF text, the change history, the downloads
// (signed PDF, certificate of completion) and a print view.
import { useEffect, useState, type FormEvent } from 'react';
import { apiGet, apiRequest } from '../../api/client.ts';
import { errorMessage } from '../../api/messages.ts';
import type { ContractAssignee, ContractEntry, ContractPatch, FieldSuggestion } from '../../api/register-types.ts';
import { Alert } from '../../components/alert.tsx';
import { PdfScrollViewer } from '../../components/pdf-scroll-viewer.tsx';
import { RetentionCard } from '../../components/retention-card.tsx';
import { ShortHash } from '../../components/short-hash.tsx';
import { Loading, StatePanel } from '../../components/state-panel.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { formatDate, formatDateTime, type MessageKey } from '../../i18n/translate.ts';
import {
  applySuggestion,
  checkContractForm,
  type ContractForm,
  type CustomField,
  type FormErrors,
  formFromEntry,
} from '../../lib/contract-form.ts';
import { registerViewOf, scopedPath } from '../../lib/register-scope.ts';
import { Link, useLocation } from '../../lib/use-location.tsx';
import { SenderShell, useUser } from '../sender/sender-session.tsx';
import { formatIsoDate, formatYen } from './format.ts';
import { SuggestionList } from './suggestion-list.tsx';

/** The entry page. */
export function ContractPage({ id }: { id: string }) {
  const { t } = useI18n();
  return (
    <SenderShell title={t('reg.entry.title')}>
      <ContractEntryView id={id} />
    </SenderShell>
  );
}

function ContractEntryView({ id }: { id: string }) {
  const { t, language } = useI18n();
  const [entry, setEntry] = useState<ContractEntry | null>(null);
  // The failure itself: its message is written in the language of the moment (a switch re-renders it).
  const [loadError, setLoadError] = useState<unknown>(null);
  const [form, setForm] = useState<ContractForm | null>(null);
  const [errors, setErrors] = useState<FormErrors>({});
  const [saveError, setSaveError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [suggestions, setSuggestions] = useState<FieldSuggestion[] | null>(null);
  const [accepted, setAccepted] = useState<Set<string>>(new Set());
  const [busyField, setBusyField] = useState<string | null>(null);
  const [customFields, setCustomFields] = useState<CustomField[]>([]);
  const [members, setMembers] = useState<ContractAssignee[]>([]);
  // The entry's register (?scope=personal for a member's own contracts) goes with every call.
  const view = registerViewOf(useLocation());
  const user = useUser();
  const base = `/api/v1/contracts/${encodeURIComponent(id)}`;
  const api = (suffix = '') => scopedPath(`${base}${suffix}`, view);

  useEffect(() => {
    let canceled = false;
    apiGet<ContractEntry>(scopedPath(base, view))
      .then((loaded) => {
        if (canceled) return;
        setEntry(loaded);
        setForm(formFromEntry(loaded));
      })
      .catch((caught: unknown) => !canceled && setLoadError(caught ?? new Error('load failed')));
    // Organisation-defined fields (a personal register has none: the list is then empty or refused).
    apiGet<{ items: CustomField[] }>(scopedPath('/api/v1/contracts/fields', view))
      .then((result) => !canceled && setCustomFields(result.items))
      .catch(() => undefined);
    apiGet<{ items: ContractAssignee[] }>(scopedPath('/api/v1/contracts/members', view))
      .then((result) => !canceled && setMembers(result.items))
      .catch(() => !canceled && setMembers([]));
    apiGet<{ suggestions: FieldSuggestion[] }>(scopedPath(`${base}/suggestions`, view))
      .then((result) => !canceled && setSuggestions(result.suggestions))
      .catch(() => !canceled && setSuggestions([]));
    return () => {
      canceled = true;
    };
  }, [base, view]);

  async function save(patch: ContractPatch): Promise<boolean> {
    setSaveError(null);
    setNotice(null);
    try {
      const updated = await apiRequest<ContractEntry>('PATCH', api(), patch);
      setEntry(updated);
      setNotice(t('reg.entry.saved'));
      return true;
    } catch (caught) {
      setSaveError(errorMessage(language, caught));
      return false;
    }
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (!entry || !form) return;
    const checked = checkContractForm(form, entry, language, customFields);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    if (Object.keys(checked.patch).length === 0) {
      setNotice(t('reg.entry.unchanged'));
      return;
    }
    setSaving(true);
    if (await save(checked.patch)) setForm((current) => current);
    setSaving(false);
  }

  async function accept(suggestion: FieldSuggestion) {
    if (!entry || !form) return;
    // Accepting saves just that field: the form is filled from the suggestion, then only the fields
    // it touched are sent (other edits in progress stay in the form, unsaved).
    const filled = applySuggestion(formFromEntry(entry), suggestion);
    const checked = checkContractForm(filled, entry, language);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setBusyField(suggestion.field);
    if (await save(checked.patch)) {
      setAccepted(new Set([...accepted, suggestion.field]));
      setForm(applySuggestion(form, suggestion));
    }
    setBusyField(null);
  }

  if (loadError) return <StatePanel tone="error" title={errorMessage(language, loadError)} />;
  if (!entry || !form) return <Loading label={t('common.loading')} />;

  const pdf = entry.documents.find((document) => document.kind !== 'certificate');
  const input = (key: keyof ContractForm, extra: Record<string, unknown> = {}) => ({
    id: `entry-${key}`,
    className: 'input',
    value: String(form[key]),
    'aria-invalid': errors[key] ? (true as const) : undefined,
    'aria-describedby': errors[key] ? `entry-${key}-error` : undefined,
    onChange: (event: { target: { value: string } }) => setForm({ ...form, [key]: event.target.value }),
    ...extra,
  });
  const fieldError = (key: keyof ContractForm) =>
    errors[key] ? (
      <p className="field__error" id={`entry-${key}-error`}>
        {errors[key]}
      </p>
    ) : null;
  const textField = (key: keyof ContractForm, label: string, hint?: string, extra: Record<string, unknown> = {}) => (
    <div className="field">
      <label className="field__label" htmlFor={`entry-${key}`}>
        {label}
      </label>
      <input {...input(key, extra)} />
      {hint && <p className="field__hint">{hint}</p>}
      {fieldError(key)}
    </div>
  );

  return (
    <div className="entry">
      <div className="page-head">
        <div className="page-head__main">
          <Link href={scopedPath('/contracts', view)} className="back-link">
            ← {t('reg.title')}
          </Link>
          <h1 className="page-title">{entry.title}</h1>
          <p className="muted">
            {t('reg.entry.summary', {
              signed: formatIsoDate(language, entry.signedOn),
              end: formatIsoDate(language, entry.endOn),
              amount: formatYen(t, entry.amount, entry.tax),
            })}
            {entry.source !== 'envelope' && <span className="tag-chip">{t(`reg.source.${entry.source}`)}</span>}
          </p>
        </div>
        <div className="button-row no-print">
          <button type="button" className="btn btn--secondary" onClick={() => window.print()}>
            {t('reg.entry.print')}
          </button>
        </div>
      </div>

      <div className="entry__layout">
        <section className="entry__document card no-print" aria-label={t('reg.entry.document')} id="document">
          {entry.shreddedAt ? (
            <p className="alert alert--warning">
              {t('retention.shredded', { at: formatDateTime(language, entry.shreddedAt) })}
            </p>
          ) : pdf ? (
            <PdfScrollViewer url={api(`/documents/${encodeURIComponent(pdf.id)}`)} name={pdf.name} />
          ) : (
            <p className="muted">{t('reg.entry.noDocument')}</p>
          )}
        </section>

        <div className="entry__side">
          <section className="card no-print" aria-labelledby="suggest-title">
            <h2 className="section-title" id="suggest-title">
              {t('reg.suggest.title')}
            </h2>
            <p className="small muted">{t('reg.suggest.lead')}</p>
            {suggestions === null ? (
              <Loading label={t('common.loading')} />
            ) : (
              <SuggestionList suggestions={suggestions} accepted={accepted} busyField={busyField} onAccept={accept} />
            )}
          </section>

          <form className="card form" onSubmit={onSubmit} noValidate aria-labelledby="fields-title">
            <h2 className="section-title" id="fields-title">
              {t('reg.entry.fields')}
            </h2>
            {notice && <Alert tone="success">{notice}</Alert>}
            {saveError && <Alert tone="error">{saveError}</Alert>}
            {textField('title', t('reg.field.title'))}
            <div className="field">
              <label className="field__label" htmlFor="entry-counterparties">
                {t('reg.field.counterparties')}
              </label>
              <textarea {...input('counterparties')} className="input textarea" rows={2} />
              <p className="field__hint">{t('reg.field.counterpartiesHint')}</p>
            </div>
            <div className="grid grid--2">
              {textField('startOn', t('reg.field.startDate'), t('reg.field.dateHint'))}
              {textField('endOn', t('reg.field.endDate'), t('reg.field.dateHint'))}
              {textField('amount', t('reg.field.amount'), t('reg.field.amountHint'), { inputMode: 'numeric' })}
              <div className="field">
                <label className="field__label" htmlFor="entry-tax">
                  {t('reg.field.tax')}
                </label>
                <select {...input('tax')} className="input select">
                  <option value="">{t('common.dash')}</option>
                  <option value="included">{t('reg.tax.included')}</option>
                  <option value="excluded">{t('reg.tax.excluded')}</option>
                </select>
              </div>
              <div className="field">
                <label className="field__label field__label--check">
                  <input
                    type="checkbox"
                    checked={form.autoRenew}
                    onChange={(event) => setForm({ ...form, autoRenew: event.target.checked })}
                  />
                  {t('reg.field.autoRenew')}
                </label>
                {form.autoRenew &&
                  textField('renewalMonths', t('reg.field.renewalMonths'), undefined, { inputMode: 'numeric' })}
              </div>
              {textField('noticeOn', t('reg.field.noticeDate'), t('reg.field.dateHint'))}
              {textField('contractType', t('reg.field.contractType'))}
              {textField('referenceNumber', t('reg.field.referenceNumber'))}
            </div>
            {textField('tags', t('reg.field.tags'), t('reg.field.tagsHint'))}
            {members.length > 0 && (
              <div className="field">
                <label className="field__label" htmlFor="entry-owner">
                  {t('reg.field.assignee')}
                </label>
                <select
                  id="entry-owner"
                  className="input select"
                  value={form.owner}
                  onChange={(event) => setForm({ ...form, owner: event.target.value })}
                >
                  <option value="">{t('common.dash')}</option>
                  {members.map((member) => (
                    <option key={member.id} value={member.id}>
                      {member.name || member.email}
                    </option>
                  ))}
                </select>
              </div>
            )}
            {customFields.map((field) => {
              const id = `entry-custom-${field.key}`;
              const error = errors[`custom.${field.key}`];
              const common = {
                id,
                value: form.custom[field.key] ?? '',
                'aria-invalid': error ? (true as const) : undefined,
                'aria-describedby': error ? `${id}-error` : undefined,
                onChange: (event: { target: { value: string } }) =>
                  setForm({ ...form, custom: { ...form.custom, [field.key]: event.target.value } }),
              };
              return (
                <div className="field" key={field.key}>
                  <label className="field__label" htmlFor={id}>
                    {field.label}
                  </label>
                  {field.type === 'choice' ? (
                    <select className="input select" {...common}>
                      <option value="">{t('common.dash')}</option>
                      {field.choices.map((choice) => (
                        <option key={choice} value={choice}>
                          {choice}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <input className="input" inputMode={field.type === 'number' ? 'numeric' : undefined} {...common} />
                  )}
                  {field.type === 'date' && <p className="field__hint">{t('reg.field.dateHint')}</p>}
                  {error && (
                    <p className="field__error" id={`${id}-error`}>
                      {error}
                    </p>
                  )}
                </div>
              );
            })}
            <div className="field">
              <label className="field__label" htmlFor="entry-memo">
                {t('reg.field.memo')}
              </label>
              <textarea {...input('memo')} className="input textarea" rows={3} />
            </div>
            <div className="button-row">
              <button type="submit" className="btn btn--primary" disabled={saving} aria-busy={saving}>
                {t('reg.entry.save')}
              </button>
            </div>
          </form>

          {!entry.shreddedAt && (
            <section className="card" aria-labelledby="downloads-title">
              <h2 className="section-title" id="downloads-title">
                {t('reg.entry.downloads')}
              </h2>
              <ul className="download-list">
                {entry.documents.map((document) => (
                  <li key={document.id}>
                    <a
                      href={api(`/documents/${encodeURIComponent(document.id)}`)}
                      download={document.name}
                      className="btn btn--secondary btn--block"
                    >
                      {document.kind === 'certificate' ? t('reg.entry.certificate') : document.name}
                    </a>
                    {document.archive && (
                      <p className="small muted archive-version">
                        {t('renewal.currentVersion', { n: document.archive.version })}
                        {document.archive.renewedAt &&
                          ` · ${t('renewal.renewedOn', { date: formatDate(language, document.archive.renewedAt) })}`}
                        <br />
                        SHA-256 <ShortHash value={document.sha256} />
                        {document.archive.version > 1 && (
                          <>
                            <br />
                            {t('renewal.original')} <ShortHash value={document.archive.sha256Original} />
                          </>
                        )}
                      </p>
                    )}
                  </li>
                ))}
              </ul>
            </section>
          )}
          {user.organization && view === 'organization' && (
            <RetentionCard subjectType="contract" subjectId={entry.id} isAdmin={user.role === 'admin'} />
          )}
        </div>
      </div>

      <section className="card" aria-labelledby="history-title">
        <h2 className="section-title" id="history-title">
          {t('reg.entry.history')}
        </h2>
        {entry.history.length === 0 ? (
          <p className="muted">{t('reg.entry.noHistory')}</p>
        ) : (
          <div className="table-wrap">
            <table className="table history-table">
              <thead>
                <tr>
                  <th scope="col">{t('reg.history.when')}</th>
                  <th scope="col">{t('reg.history.who')}</th>
                  <th scope="col">{t('reg.history.field')}</th>
                  <th scope="col">{t('reg.history.change')}</th>
                </tr>
              </thead>
              <tbody>
                {[...entry.history].reverse().map((row) => (
                  <tr key={row.id}>
                    <td data-label={t('reg.history.when')}>{formatDateTime(language, row.at)}</td>
                    <td data-label={t('reg.history.who')}>
                      {row.actor.name ?? t(`reg.history.actor.${row.actor.type}`)}
                    </td>
                    <td data-label={t('reg.history.field')}>
                      {HISTORY_FIELDS[row.field] ? t(HISTORY_FIELDS[row.field]!) : row.field}
                    </td>
                    <td data-label={t('reg.history.change')} className="history-table__change">
                      <span className="history-table__old">{historyValue(t, language, row.field, row.oldValue)}</span> →{' '}
                      <span>{historyValue(t, language, row.field, row.newValue)}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

// History rows name fields as the API does; people read them by their labels.
const HISTORY_FIELDS: Record<string, MessageKey> = {
  title: 'reg.field.title',
  counterparties: 'reg.field.counterparties',
  signedOn: 'reg.field.signedOn',
  startOn: 'reg.field.startDate',
  endOn: 'reg.field.endDate',
  noticeOn: 'reg.field.noticeDate',
  amount: 'reg.field.amount',
  tax: 'reg.field.tax',
  autoRenew: 'reg.field.autoRenew',
  renewalMonths: 'reg.field.renewalMonths',
  contractType: 'reg.field.contractType',
  referenceNumber: 'reg.field.referenceNumber',
  memo: 'reg.field.memo',
  tags: 'reg.field.tags',
  owner: 'reg.field.assignee',
};

function historyValue(t: (key: MessageKey) => string, language: 'ja' | 'en', field: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (field === 'tax' && (value === 'included' || value === 'excluded')) return t(`reg.tax.${value}`);
  if (/On$/u.test(field) && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/u.test(value))
    return formatIsoDate(language, value);
  if (field === 'amount' && typeof value === 'number') return formatYen(t, value);
  if (typeof value === 'boolean') return value ? '✓' : '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return new Intl.NumberFormat('ja-JP').format(value);
  if (Array.isArray(value)) return value.join('、');
  return JSON.stringify(value);
}
