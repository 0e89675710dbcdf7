// 保存期間: the organisation's retention periods (default and by source or 契約種別) and the active
// legal holds. Documents past their period and under no hold are erased by destroying their encryption
// keys (the operation log keeps the record); the list of holds links to what they keep.
import { useEffect, useState, type FormEvent } from 'react';
import { apiGet, apiRequest } from '../../api/client.ts';
import { Field } from '../../components/form-parts.tsx';
import { Loading } from '../../components/state-panel.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { formatDate, formatDateTime } from '../../i18n/translate.ts';
import { Link } from '../../lib/use-location.tsx';
import { adminError, useAdminAction } from './admin-common.tsx';
import { AdminList, SmallButton } from './admin-list.tsx';

/** GET/PUT /api/v1/admin/retention. */
export interface RetentionSettings {
  defaultYears: number;
  builtInYears: number;
  rules: Array<{ documentType: string; years: number }>;
  contractTypes: string[];
  holds: Array<{
    id: string;
    subjectType: 'contract' | 'envelope';
    subjectId: string;
    title: string;
    reason: string;
    placedAt: string;
    placedBy: string | null;
  }>;
  upcoming: Array<{
    subjectType: 'contract' | 'envelope';
    subjectId: string;
    title: string;
    documentType: string;
    years: number;
    endsOn: string;
    held: boolean;
  }>;
}

const subjectPath = (type: 'contract' | 'envelope', id: string) =>
  type === 'contract' ? `/contracts/${id}` : `/envelopes/${id}`;

type RuleKind = 'source:envelope' | 'source:import' | 'type';
interface DraftRule {
  kind: RuleKind;
  contractType: string;
  years: string;
}

function draftOf(rule: { documentType: string; years: number }): DraftRule {
  if (rule.documentType.startsWith('type:'))
    return { kind: 'type', contractType: rule.documentType.slice('type:'.length), years: String(rule.years) };
  return { kind: rule.documentType as RuleKind, contractType: '', years: String(rule.years) };
}

function yearsOf(text: string): number {
  return /^\d{1,3}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
}

export function RetentionSection() {
  const { t, language } = useI18n();
  const [settings, setSettings] = useState<RetentionSettings | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [defaultYears, setDefaultYears] = useState('');
  const [rules, setRules] = useState<DraftRule[]>([]);
  const save = useAdminAction();
  useEffect(() => {
    apiGet<RetentionSettings>('/api/v1/admin/retention')
      .then(setSettings)
      .catch((caught: unknown) => setLoadError(adminError(language, caught)));
  }, [language]);
  useEffect(() => {
    if (!settings) return;
    setDefaultYears(String(settings.defaultYears));
    setRules(settings.rules.map(draftOf));
  }, [settings]);
  if (loadError) return <p className="alert alert--error">{loadError}</p>;
  if (!settings) return <Loading label={t('common.loading')} />;

  const update = (index: number, change: Partial<DraftRule>) =>
    setRules(rules.map((rule, i) => (i === index ? { ...rule, ...change } : rule)));
  function submit(event: FormEvent) {
    event.preventDefault();
    void save.run(async () => {
      setSettings(
        await apiRequest<RetentionSettings>('PUT', '/api/v1/admin/retention', {
          defaultYears: yearsOf(defaultYears),
          rules: rules.map((rule) => ({
            documentType: rule.kind === 'type' ? `type:${rule.contractType.trim()}` : rule.kind,
            years: yearsOf(rule.years),
          })),
        }),
      );
      return t('admin.saved');
    });
  }

  return (
    <section className="admin-section" aria-labelledby="admin-retention-title">
      <h1 id="admin-retention-title" className="page-title">
        {t('admin.nav.retention')}
      </h1>
      <p className="muted">{t('admin.retention.lead', { years: settings.builtInYears })}</p>
      {save.messages}
      <form className="form card" onSubmit={submit} noValidate>
        <h2 className="section-title">{t('admin.retention.periods')}</h2>
        <Field id="retention-default" label={t('admin.retention.default')}>
          <span className="retention-years">
            <input
              id="retention-default"
              className="input input--compact"
              inputMode="numeric"
              value={defaultYears}
              onChange={(e) => setDefaultYears(e.target.value)}
            />
            <span>{t('admin.retention.yearsUnit')}</span>
          </span>
          <p className="muted admin-small">{t('admin.retention.defaultHint')}</p>
        </Field>
        <h3 className="retention-subtitle">{t('admin.retention.rules')}</h3>
        <p className="muted admin-small">{t('admin.retention.rulesHint')}</p>
        {rules.length === 0 ? (
          <p className="muted">{t('admin.retention.noRules')}</p>
        ) : (
          <ul className="retention-rules">
            {rules.map((rule, index) => (
              <li key={index} className="retention-rule">
                <label className="retention-rule__field">
                  <span className="visually-hidden">{t('admin.retention.target')}</span>
                  <select
                    className="input"
                    value={rule.kind}
                    onChange={(e) => update(index, { kind: e.target.value as RuleKind })}
                  >
                    <option value="source:envelope">{t('admin.retention.sourceEnvelope')}</option>
                    <option value="source:import">{t('admin.retention.sourceImport')}</option>
                    <option value="type">{t('admin.retention.contractType')}</option>
                  </select>
                </label>
                {rule.kind === 'type' && (
                  <label className="retention-rule__field">
                    <span className="visually-hidden">{t('admin.retention.contractType')}</span>
                    <input
                      className="input"
                      list="retention-contract-types"
                      placeholder={t('admin.retention.contractTypePlaceholder')}
                      maxLength={100}
                      value={rule.contractType}
                      onChange={(e) => update(index, { contractType: e.target.value })}
                    />
                  </label>
                )}
                <label className="retention-years">
                  <span className="visually-hidden">{t('admin.retention.years')}</span>
                  <input
                    className="input input--compact"
                    inputMode="numeric"
                    value={rule.years}
                    onChange={(e) => update(index, { years: e.target.value })}
                  />
                  <span>{t('admin.retention.yearsUnit')}</span>
                </label>
                <SmallButton tone="danger-outline" onClick={() => setRules(rules.filter((_, i) => i !== index))}>
                  {t('admin.retention.remove')}
                </SmallButton>
              </li>
            ))}
          </ul>
        )}
        <datalist id="retention-contract-types">
          {settings.contractTypes.map((type) => (
            <option key={type} value={type} />
          ))}
        </datalist>
        <div className="admin-actions">
          <button
            type="button"
            className="btn btn--secondary"
            onClick={() =>
              setRules([...rules, { kind: 'type', contractType: '', years: String(settings.defaultYears) }])
            }
          >
            {t('admin.retention.add')}
          </button>
          <button type="submit" className="btn btn--primary" disabled={save.busy} aria-busy={save.busy}>
            {t('admin.save')}
          </button>
        </div>
      </form>
      <AdminList
        title={t('admin.retention.holds')}
        hint={t('admin.retention.holdsHint')}
        items={settings.holds}
        empty={t('admin.retention.noHolds')}
        columns={[t('admin.retention.holdTarget'), t('admin.retention.holdReason'), t('admin.retention.holdPlaced')]}
        row={(hold) => (
          <tr key={hold.id}>
            <td>
              <Link href={subjectPath(hold.subjectType, hold.subjectId)} className="admin-strong">
                {hold.title || t('common.dash')}
              </Link>
              <div className="muted admin-small">
                {t(hold.subjectType === 'contract' ? 'retention.subject.contract' : 'retention.subject.envelope')}
              </div>
            </td>
            <td data-label={t('admin.retention.holdReason')}>{hold.reason}</td>
            <td data-label={t('admin.retention.holdPlaced')}>
              <div>{formatDateTime(language, hold.placedAt)}</div>
              <div className="muted admin-small">{hold.placedBy ?? ''}</div>
            </td>
          </tr>
        )}
      />
      <AdminList
        title={t('admin.retention.upcoming')}
        hint={t('admin.retention.upcomingHint')}
        items={settings.upcoming}
        empty={t('admin.retention.noUpcoming')}
        columns={[t('admin.retention.holdTarget'), t('admin.retention.endsOn'), t('admin.retention.state')]}
        row={(item) => (
          <tr key={`${item.subjectType}:${item.subjectId}`}>
            <td>
              <Link href={subjectPath(item.subjectType, item.subjectId)} className="admin-strong">
                {item.title || t('common.dash')}
              </Link>
              <div className="muted admin-small">
                {t(item.subjectType === 'contract' ? 'retention.subject.contract' : 'retention.subject.envelope')}
              </div>
            </td>
            <td data-label={t('admin.retention.endsOn')}>
              <div>{formatDate(language, item.endsOn)}</div>
              <div className="muted admin-small">{t('admin.retention.yearsShort', { years: item.years })}</div>
            </td>
            <td data-label={t('admin.retention.state')}>
              {item.held ? (
                <span className="retention-state retention-state--held">{t('admin.retention.stateHeld')}</span>
              ) : (
                <span className="retention-state">{t('admin.retention.stateErase')}</span>
              )}
            </td>
          </tr>
        )}
      />
    </section>
  );
}
