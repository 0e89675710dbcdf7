// /login: e-mail and password.
import { useId, useState, type FormEvent } from 'react';
import { apiPost } from '../../api/client.ts';
import { errorMessage } from '../../api/messages.ts';
import type { SessionResponse } from '../../api/types.ts';
import { Field, FormError, SubmitButton } from '../../components/form-parts.tsx';
import { PageShell } from '../../components/page-shell.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { navigate } from '../../lib/router.ts';
import { Link } from '../../lib/use-location.tsx';
import { homeOf } from '../account/auth-card.tsx';
import { rememberSession, safeNextPath } from './sender-session.tsx';

/** The sign-in form. */
export function LoginPage() {
  const { t, language } = useI18n();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const errorId = useId();
  const next = safeNextPath(new URLSearchParams(window.location.search).get('next'));

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    if (!email.trim() || !password) return setError(t('login.required'));
    setBusy(true);
    setError(null);
    try {
      const session = await apiPost<SessionResponse>('/api/session', { email: email.trim(), password });
      rememberSession(session);
      navigate(next ?? homeOf(session.user), { replace: true });
    } catch (caught) {
      setBusy(false);
      setError(errorMessage(language, caught));
    }
  }

  return (
    <PageShell title={t('login.title')}>
      <section className="card card--narrow" aria-labelledby="login-title">
        <h1 id="login-title" className="page-title">
          {t('login.title')}
        </h1>
        <p className="muted">{t('login.lead')}</p>
        <form className="form" onSubmit={submit} noValidate>
          <Field id="login-email" label={t('login.email')}>
            <input
              id="login-email"
              className="input"
              type="email"
              autoComplete="username"
              autoFocus
              value={email}
              onChange={(event) => setEmail(event.target.value)}
              aria-describedby={error ? errorId : undefined}
            />
          </Field>
          <Field id="login-password" label={t('login.password')}>
            <input
              id="login-password"
              className="input"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              aria-describedby={error ? errorId : undefined}
            />
          </Field>
          <FormError id={errorId} error={error} />
          <SubmitButton busy={busy}>{busy ? t('login.submitting') : t('login.submit')}</SubmitButton>
        </form>
        <div className="auth-links">
          <p>
            <Link href="/password/forgot">{t('login.forgotLink')}</Link>
          </p>
          <p>
            {t('login.noAccount')} <Link href={next ? `/signup?next=${encodeURIComponent(next)}` : '/signup'}>{t('login.signupLink')}</Link>
          </p>
        </div>
      </section>
    </PageShell>
  );
}
