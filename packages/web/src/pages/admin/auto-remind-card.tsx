// 自動リマインド (in メール設定): every how many days signers who have not signed get a reminder (0 = off).
import { useEffect, useState, type FormEvent } from 'react';
import { apiGet, apiRequest } from '../../api/client.ts';
import { Field } from '../../components/form-parts.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { adminError, useAdminAction, type OrganizationSettings } from './admin-common.tsx';

/** The interval's bounds in days (the server's AUTO_REMIND_LIMITS). */
const AUTO_REMIND_MIN = 0;
const AUTO_REMIND_MAX = 30;

export function AutoRemindCard() {
  const { t, language } = useI18n();
  const [days, setDays] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [invalid, setInvalid] = useState(false);
  const action = useAdminAction();
  useEffect(() => {
    apiGet<OrganizationSettings>('/api/v1/organization/settings')
      .then((settings) => setDays(String(settings.autoRemindDays)))
      .catch((caught: unknown) => setLoadError(adminError(language, caught)));
  }, [language]);

  function save(event: FormEvent) {
    event.preventDefault();
    // Checked here first: the server's answer to an out-of-range number names only the field.
    const value = Number((days ?? '').trim() || '0');
    const ok = Number.isInteger(value) && value >= AUTO_REMIND_MIN && value <= AUTO_REMIND_MAX;
    setInvalid(!ok);
    if (!ok) {
      document.getElementById('auto-remind-days')?.focus();
      return;
    }
    void action.run(async () => {
      const saved = await apiRequest<OrganizationSettings>('PATCH', '/api/v1/organization/settings', {
        autoRemindDays: value,
      });
      setDays(String(saved.autoRemindDays));
      return t('admin.saved');
    });
  }

  return (
    <form className="form card" onSubmit={save} noValidate aria-labelledby="auto-remind-title">
      <h2 id="auto-remind-title" className="section-title">
        {t('flow.autoRemind.title')}
      </h2>
      <p className="muted">{t('flow.autoRemind.lead')}</p>
      {loadError && <p className="alert alert--error">{loadError}</p>}
      {action.messages}
      {days !== null && (
        <>
          <Field id="auto-remind-days" label={t('flow.autoRemind.days')}>
            <input
              id="auto-remind-days"
              className="input input--code-small"
              type="number"
              inputMode="numeric"
              min={0}
              max={30}
              value={days}
              onChange={(e) => setDays(e.target.value)}
              aria-invalid={invalid ? true : undefined}
              aria-describedby={invalid ? 'auto-remind-hint auto-remind-error' : 'auto-remind-hint'}
            />
          </Field>
          <p id="auto-remind-hint" className="field__hint">
            {t('flow.autoRemind.hint')}
          </p>
          {invalid && (
            <p id="auto-remind-error" className="field__error" role="alert">
              {t('flow.autoRemind.invalid')}
            </p>
          )}
          <div className="admin-actions">
            <button type="submit" className="btn btn--primary" disabled={action.busy} aria-busy={action.busy}>
              {t('flow.autoRemind.save')}
            </button>
          </div>
        </>
      )}
    </form>
  );
}
