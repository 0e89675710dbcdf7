// /login/link?token=…: consumes a one-time sign-in link, then offers to set a password.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { apiPost } from '../../api/client.ts';
import { errorMessage } from '../../api/messages.ts';
import type { SessionResponse } from '../../api/types.ts';
import { Field, FormError, SubmitButton, fieldAria } from '../../components/form-parts.tsx';
import { PageShell } from '../../components/page-shell.tsx';
import { Loading, StatePanel } from '../../components/state-panel.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { navigate } from '../../lib/router.ts';
import { rememberSession } from './sender-session.tsx';

const MIN_PASSWORD = 10;

/** The sign-in link page. */
export function LoginLinkPage({ token }: { token: string | null }) {
  const { t, describeError } = useI18n();
  const [phase, setPhase] = useState<{ kind: 'checking' } | { kind: 'password' } | { kind: 'failed'; message: string }>(
    token ? { kind: 'checking' } : { kind: 'failed', message: t('login.link.missing') },
  );
  const consumed = useRef(false);

  useEffect(() => {
    // The link works once: never post it twice, whatever React does with effects.
    if (!token || consumed.current) return;
    consumed.current = true;
    // Drop the token from the address bar and history.
    window.history.replaceState(null, '', '/login/link');
    apiPost<SessionResponse>('/api/session/link', { token })
      .then((session) => {
        rememberSession(session);
        setPhase({ kind: 'password' });
      })
      .catch((caught: unknown) => setPhase({ kind: 'failed', message: describeError(caught) }));
  }, [token, describeError]);

  return (
    <PageShell title={phase.kind === 'password' ? t('login.password.title') : t('login.title')}>
      {phase.kind === 'checking' && <Loading label={t('login.link.checking')} />}
      {phase.kind === 'failed' && (
        <StatePanel tone="error" title={phase.message}>
          <a className="btn btn--secondary" href="/login">
            {t('login.title')}
          </a>
        </StatePanel>
      )}
      {phase.kind === 'password' && <SetPasswordForm />}
    </PageShell>
  );
}

function SetPasswordForm() {
  const { t, language } = useI18n();
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const hintId = useId();
  const errorId = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    if (password.length < MIN_PASSWORD) return setError(t('login.password.tooShort'));
    setBusy(true);
    setError(null);
    try {
      await apiPost('/api/session/password', { password });
      navigate('/envelopes', { replace: true });
    } catch (caught) {
      setBusy(false);
      setError(errorMessage(language, caught));
    }
  }

  return (
    <section className="card card--narrow" aria-labelledby="password-title">
      <h1 id="password-title" className="page-title">
        {t('login.password.title')}
      </h1>
      <p className="muted">{t('login.password.lead')}</p>
      <form className="form" onSubmit={submit} noValidate>
        <Field id="new-password" label={t('login.password.label')}>
          <input
            id="new-password"
            className="input"
            type="password"
            autoComplete="new-password"
            minLength={MIN_PASSWORD}
            autoFocus
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            {...fieldAria(error, errorId, hintId)}
          />
          <p id={hintId} className="field__hint">
            {t('login.password.hint')}
          </p>
        </Field>
        <FormError id={errorId} error={error} />
        <div className="button-row">
          <button
            type="button"
            className="btn btn--secondary"
            onClick={() => navigate('/envelopes', { replace: true })}
            disabled={busy}
          >
            {t('login.password.skip')}
          </button>
          <SubmitButton busy={busy} className="btn btn--primary">
            {t('login.password.submit')}
          </SubmitButton>
        </div>
      </form>
    </section>
  );
}
