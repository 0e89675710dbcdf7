// /login: e-mail and password, then the second factor when the account has one (authenticator code,
// recovery code or passkey); or a passkey alone (passwordless).
import { useId, useState, type FormEvent } from 'react';
import { startAuthentication } from '@simplewebauthn/browser';
import { apiPost } from '../../api/client.ts';
import { errorMessage } from '../../api/messages.ts';
import type { SecondFactorPending, SessionResponse } from '../../api/types.ts';
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
  const [pending, setPending] = useState<SecondFactorPending | null>(null);

  function signedIn(session: SessionResponse) {
    rememberSession(session);
    navigate(session.mfaEnrolmentRequired ? '/account/security' : (next ?? homeOf(session.user)), { replace: true });
  }

  async function withPasskey(challengeToken?: string) {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const optionsJSON = await apiPost<Parameters<typeof startAuthentication>[0]['optionsJSON']>(
        '/api/session/passkey/options',
        challengeToken ? { challengeToken } : {},
      );
      const response = await startAuthentication({ optionsJSON });
      signedIn(
        await apiPost<SessionResponse>(
          '/api/session/passkey',
          challengeToken ? { challengeToken, response } : { response },
        ),
      );
    } catch (caught) {
      setBusy(false);
      setError(errorMessage(language, caught));
    }
  }

  // Single sign-on: the e-mail's domain names the organisation's identity provider; the browser goes there.
  async function withSso() {
    if (busy) return;
    if (!email.trim()) return setError(t('login.sso.required'));
    setBusy(true);
    setError(null);
    try {
      const started = await apiPost<{ redirectUrl: string }>('/api/sso/start', {
        email: email.trim(),
        ...(next ? { next } : {}),
      });
      window.location.assign(started.redirectUrl);
    } catch (caught) {
      setBusy(false);
      setError(errorMessage(language, caught));
    }
  }

  if (pending)
    return (
      <SecondFactorStep
        pending={pending}
        onSignedIn={signedIn}
        onPasskey={() => void withPasskey(pending.challengeToken)}
        passkeyBusy={busy}
        passkeyError={error}
      />
    );

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    if (!email.trim() || !password) return setError(t('login.required'));
    setBusy(true);
    setError(null);
    try {
      const result = await apiPost<SessionResponse | SecondFactorPending>('/api/session', {
        email: email.trim(),
        password,
      });
      if ('secondFactorRequired' in result) {
        setBusy(false);
        setPending(result);
        return;
      }
      signedIn(result);
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
        <button
          type="button"
          className="btn btn--secondary btn--block passkey-button"
          disabled={busy}
          onClick={() => void withPasskey()}
        >
          {t('login.passkey')}
        </button>
        <div className="sso-login" aria-labelledby="sso-login-title">
          <h2 id="sso-login-title" className="subsection-title">
            {t('login.sso.title')}
          </h2>
          <p className="muted">{t('login.sso.lead')}</p>
          <button
            type="button"
            className="btn btn--secondary btn--block"
            disabled={busy}
            onClick={() => void withSso()}
          >
            {t('login.sso.submit')}
          </button>
        </div>
        <div className="auth-links">
          <p>
            <Link href="/password/forgot">{t('login.forgotLink')}</Link>
          </p>
          <p>
            {t('login.noAccount')}{' '}
            <Link href={next ? `/signup?next=${encodeURIComponent(next)}` : '/signup'}>{t('login.signupLink')}</Link>
          </p>
        </div>
      </section>
    </PageShell>
  );
}

/** The second step: a 6-digit code of the authenticator app, a recovery code, or a passkey. */
function SecondFactorStep({
  pending,
  onSignedIn,
  onPasskey,
  passkeyBusy,
  passkeyError,
}: {
  pending: SecondFactorPending;
  onSignedIn: (session: SessionResponse) => void;
  onPasskey: () => void;
  passkeyBusy: boolean;
  passkeyError: string | null;
}) {
  const { t, language } = useI18n();
  const [useRecovery, setUseRecovery] = useState(!pending.methods.includes('totp'));
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const errorId = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy || !code.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const factor = useRecovery ? { recoveryCode: code.trim() } : { code: code.trim() };
      onSignedIn(
        await apiPost<SessionResponse>('/api/session/second-factor', {
          challengeToken: pending.challengeToken,
          ...factor,
        }),
      );
    } catch (caught) {
      setBusy(false);
      setError(errorMessage(language, caught));
    }
  }

  return (
    <PageShell title={t('login.second.title')}>
      <section className="card card--narrow" aria-labelledby="second-factor-title">
        <h1 id="second-factor-title" className="page-title">
          {t('login.second.title')}
        </h1>
        <p className="muted">{useRecovery ? t('login.second.recoveryLead') : t('login.second.lead')}</p>
        <form className="form" onSubmit={submit} noValidate>
          <Field id="second-factor-code" label={useRecovery ? t('login.second.recoveryCode') : t('login.second.code')}>
            <input
              id="second-factor-code"
              className="input"
              inputMode={useRecovery ? 'text' : 'numeric'}
              autoComplete="one-time-code"
              autoFocus
              maxLength={useRecovery ? 24 : 6}
              value={code}
              onChange={(event) => setCode(event.target.value)}
              aria-describedby={error ? errorId : undefined}
            />
          </Field>
          <FormError id={errorId} error={error ?? passkeyError} />
          <SubmitButton busy={busy}>{t('login.second.submit')}</SubmitButton>
        </form>
        {pending.methods.includes('passkey') && (
          <button
            type="button"
            className="btn btn--secondary btn--block passkey-button"
            disabled={passkeyBusy}
            onClick={onPasskey}
          >
            {t('login.second.passkey')}
          </button>
        )}
        <div className="auth-links">
          <p>
            <button
              type="button"
              className="link-button"
              onClick={() => {
                setUseRecovery(!useRecovery);
                setCode('');
                setError(null);
              }}
            >
              {useRecovery ? t('login.second.useCode') : t('login.second.useRecovery')}
            </button>
          </p>
        </div>
      </section>
    </PageShell>
  );
}
