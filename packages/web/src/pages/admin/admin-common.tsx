// What the admin sections share: the error text (the server's own sentence, already in the UI language
// through Accept-Language), step-up before a change when the account has a second factor, and the
// organisation settings shared by several sections.
import { useState, type FormEvent, type ReactNode } from 'react';
import { startAuthentication } from '@simplewebauthn/browser';
import { ApiError, apiPost } from '../../api/client.ts';
import { errorMessage } from '../../api/messages.ts';
import { Alert } from '../../components/alert.tsx';
import { Field } from '../../components/form-parts.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import type { Language } from '../../i18n/translate.ts';
import { SmallButton } from './admin-list.tsx';

/** The message of a failed admin call: the server's localised sentence when it has one. */
export function adminError(language: Language, caught: unknown): string {
  if (caught instanceof ApiError && caught.message && caught.message !== caught.code && caught.status !== 0)
    return caught.message;
  return errorMessage(language, caught);
}

/** Organisation settings (GET/PATCH /api/v1/organization/settings). */
export interface OrganizationSettings {
  attachCertificate: boolean;
  mfaRequired: boolean;
  sessionIdleMinutes: number | null;
  sessionAbsoluteHours: number | null;
  /** 自動リマインド interval in days (0 = off). */
  autoRemindDays: number;
}

/**
 * Runs admin actions one at a time, keeps their error or notice, and turns STEP_UP_REQUIRED into the
 * step-up form (`stepUp` element) instead of an error.
 */
export function useAdminAction() {
  const { language } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [needsStepUp, setNeedsStepUp] = useState(false);
  async function run(action: () => Promise<string | void>) {
    if (busy) return;
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const done = await action();
      if (typeof done === 'string') setNotice(done);
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === 'STEP_UP_REQUIRED') setNeedsStepUp(true);
      else setError(adminError(language, caught));
    } finally {
      setBusy(false);
    }
  }
  const stepUp = needsStepUp ? (
    <StepUpForm
      onDone={(message) => {
        setNeedsStepUp(false);
        setNotice(message);
      }}
    />
  ) : null;
  const messages: ReactNode = (
    <>
      {error && <Alert tone="error">{error}</Alert>}
      {notice && <Alert tone="success">{notice}</Alert>}
      {stepUp}
    </>
  );
  return { busy, run, messages, setError };
}

/**
 * A secret shown once (an API key, a webhook signing secret): the warning, what it belongs to, the
 * value and a copy button. Give it `key={value}` so that a new secret starts uncopied.
 */
export function ShownOnceSecret(props: {
  warning: string;
  title: string;
  value: string;
  testId: string;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  return (
    <div className="card admin-secret" data-testid={props.testId}>
      <Alert tone="warning">{props.warning}</Alert>
      <p className="admin-strong admin-secret__title">{props.title}</p>
      <code className="admin-secret__value">{props.value}</code>
      <div className="admin-actions">
        <SmallButton
          tone="secondary"
          onClick={() => {
            void navigator.clipboard
              ?.writeText(props.value)
              .then(() => setCopied(true))
              .catch(() => setCopied(false));
          }}
        >
          {copied ? t('admin.keys.copied') : t('admin.keys.copy')}
        </SmallButton>
        <SmallButton tone="ghost" onClick={props.onClose}>
          {t('common.close')}
        </SmallButton>
      </div>
    </div>
  );
}

function StepUpForm({ onDone }: { onDone: (message: string) => void }) {
  const { t, language } = useI18n();
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function attempt(action: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await action();
      setCode('');
      onDone(t('admin.stepUp.done'));
    } catch (caught) {
      setError(adminError(language, caught));
    } finally {
      setBusy(false);
    }
  }
  function submit(event: FormEvent) {
    event.preventDefault();
    const typed = code.trim();
    void attempt(() =>
      apiPost('/api/account/security/step-up', /^[0-9]{6}$/.test(typed) ? { code: typed } : { recoveryCode: typed }),
    );
  }
  const passkey = () =>
    attempt(async () => {
      const optionsJSON = await apiPost<Parameters<typeof startAuthentication>[0]['optionsJSON']>(
        '/api/account/security/step-up/passkey/options',
      );
      await apiPost('/api/account/security/step-up/passkey', { response: await startAuthentication({ optionsJSON }) });
    });
  return (
    <form className="form card step-up" onSubmit={submit} noValidate>
      <Alert tone="info">{t('admin.stepUp.lead')}</Alert>
      {error && <Alert tone="error">{error}</Alert>}
      <Field id="admin-step-up-code" label={t('admin.stepUp.code')}>
        <input
          id="admin-step-up-code"
          className="input input--code-small"
          autoComplete="one-time-code"
          value={code}
          onChange={(e) => setCode(e.target.value)}
        />
      </Field>
      <div className="admin-actions">
        <button type="submit" className="btn btn--primary" disabled={busy} aria-busy={busy}>
          {t('admin.stepUp.submit')}
        </button>
        <button type="button" className="btn btn--secondary" disabled={busy} onClick={() => void passkey()}>
          {t('admin.stepUp.passkey')}
        </button>
      </div>
    </form>
  );
}
