// /password/forgot (ask for a reset mail; the same answer whether or not the address has an account) and
// /password/reset?token=… (set the new password; every session ends, then sign in again).
import { useId, useState, type FormEvent } from 'react';
import { apiPost } from '../../api/client.ts';
import { Alert } from '../../components/alert.tsx';
import { Field, FormError, SubmitButton } from '../../components/form-parts.tsx';
import { PageShell } from '../../components/page-shell.tsx';
import { StatePanel } from '../../components/state-panel.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { Link } from '../../lib/use-location.tsx';
import { forgetSession } from '../sender/sender-session.tsx';
import { AuthCard, NewPasswordField } from './auth-card.tsx';
import { useSubmit } from './use-submit.tsx';

/** The "forgot password" form. */
export function ForgotPasswordPage() {
  const { t, language } = useI18n();
  const [email, setEmail] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const { busy, error, setError, run } = useSubmit();
  const errorId = useId();

  function submit(event: FormEvent) {
    event.preventDefault();
    const address = email.trim();
    if (!address) return setError(t('error.INVALID_EMAIL'));
    void run(async () => {
      await apiPost('/api/account/password/forgot', { email: address, language });
      setSentTo(address);
    });
  }

  if (sentTo) {
    return (
      <AuthCard id="forgot-sent" title={t('forgot.sent.title')}>
        <Alert tone="success">{t('forgot.sent.body', { email: sentTo })}</Alert>
        <p className="muted">{t('signup.sent.notice')}</p>
      </AuthCard>
    );
  }
  return (
    <AuthCard
      id="forgot"
      title={t('forgot.title')}
      lead={t('forgot.lead')}
      footer={<Link href="/login">{t('signup.loginLink')}</Link>}
    >
      <form className="form" onSubmit={submit} noValidate>
        <Field id="forgot-email" label={t('signup.email')}>
          <input
            id="forgot-email"
            className="input"
            type="email"
            autoComplete="email"
            autoFocus
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </Field>
        <FormError id={errorId} error={error} />
        <SubmitButton busy={busy}>{t('forgot.submit')}</SubmitButton>
      </form>
    </AuthCard>
  );
}

/** The new-password form of a reset link. */
export function ResetPasswordPage({ token }: { token: string | null }) {
  const { t } = useI18n();
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const { busy, error, setError, run } = useSubmit();
  const errorId = useId();

  function submit(event: FormEvent) {
    event.preventDefault();
    if ([...password].length < 10) return setError(t('error.PASSWORD_TOO_SHORT'));
    void run(async () => {
      await apiPost('/api/account/password/reset', { token, password });
      forgetSession();
      setDone(true);
    });
  }

  if (!token) {
    return (
      <PageShell title={t('reset.title')}>
        <StatePanel tone="warning" title={t('reset.missing')}>
          <Link className="btn btn--secondary" href="/password/forgot">
            {t('reset.again')}
          </Link>
        </StatePanel>
      </PageShell>
    );
  }
  if (done) {
    return (
      <PageShell title={t('reset.done.title')}>
        <StatePanel tone="success" title={t('reset.done.title')}>
          <p>{t('reset.done.body')}</p>
          <Link className="btn btn--primary" href="/login">
            {t('login.submit')}
          </Link>
        </StatePanel>
      </PageShell>
    );
  }
  return (
    <AuthCard
      id="reset"
      title={t('reset.title')}
      lead={t('reset.lead')}
      footer={<Link href="/password/forgot">{t('reset.again')}</Link>}
    >
      <form className="form" onSubmit={submit} noValidate>
        <NewPasswordField
          id="reset-password"
          label={t('reset.password')}
          value={password}
          onChange={setPassword}
          errorId={errorId}
          error={error}
          autoFocus
        />
        <FormError id={errorId} error={error} />
        <SubmitButton busy={busy}>{t('reset.submit')}</SubmitButton>
      </form>
    </AuthCard>
  );
}

/** /account/email/confirm?token=…: a button (not the page load) completes the change, so mail scanners that open links change nothing. */
export function EmailConfirmPage({ token }: { token: string | null }) {
  const { t, language } = useI18n();
  const [changedTo, setChangedTo] = useState<string | null>(null);
  const { busy, error, run } = useSubmit();
  const errorId = useId();

  if (changedTo) {
    return (
      <PageShell title={t('emailConfirm.done.title')}>
        <StatePanel tone="success" title={t('emailConfirm.done.title')}>
          <p>{t('emailConfirm.done.body', { email: changedTo })}</p>
          <Link className="btn btn--primary" href="/account">
            {t('nav.account')}
          </Link>
        </StatePanel>
      </PageShell>
    );
  }
  return (
    <AuthCard id="email-confirm" title={t('emailConfirm.title')} lead={t('emailConfirm.lead')}>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          void run(async () => {
            const result = await apiPost<{ email: string }>('/api/account/email/confirm', {
              token: token ?? '',
              language,
            });
            setChangedTo(result.email);
          });
        }}
      >
        <FormError id={errorId} error={error} />
        <SubmitButton busy={busy}>{t('emailConfirm.submit')}</SubmitButton>
      </form>
    </AuthCard>
  );
}
