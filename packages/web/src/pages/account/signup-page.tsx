// /signup: the e-mail address → the mail 「【Inkan】アカウント登録のご案内」. The same answer whether or
// not the address has an account (the mail says which).
import { useId, useState, type FormEvent } from 'react';
import { apiPost } from '../../api/client.ts';
import { Field, FormError, SubmitButton } from '../../components/form-parts.tsx';
import { Alert } from '../../components/alert.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { Link } from '../../lib/use-location.tsx';
import { safeNextPath } from '../sender/sender-session.tsx';
import { AuthCard } from './auth-card.tsx';
import { useSubmit } from './use-submit.tsx';

/** The sign-up start page; `next` is where to return after sign-up (validated again by the server). */
export function SignupPage({ next }: { next: string | null }) {
  const { t, language } = useI18n();
  const [email, setEmail] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const { busy, error, setError, run } = useSubmit();
  const errorId = useId();
  const safeNext = safeNextPath(next);

  function submit(event: FormEvent) {
    event.preventDefault();
    const address = email.trim();
    if (!address) return setError(t('error.INVALID_EMAIL'));
    void run(async () => {
      await apiPost('/api/account/signup', { email: address, next: safeNext, language });
      setSentTo(address);
    });
  }

  const loginHref = safeNext ? `/login?next=${encodeURIComponent(safeNext)}` : '/login';
  if (sentTo) {
    return (
      <AuthCard id="signup-sent" title={t('signup.sent.title')}>
        <Alert tone="success">{t('signup.sent.body', { email: sentTo })}</Alert>
        <p className="muted">{t('signup.sent.notice')}</p>
      </AuthCard>
    );
  }
  return (
    <AuthCard
      id="signup"
      title={t('signup.title')}
      lead={t('signup.lead')}
      footer={
        <p>
          {t('signup.haveAccount')} <Link href={loginHref}>{t('signup.loginLink')}</Link>
        </p>
      }
    >
      <form className="form" onSubmit={submit} noValidate>
        <Field id="signup-email" label={t('signup.email')}>
          <input
            id="signup-email"
            className="input"
            type="email"
            autoComplete="email"
            autoFocus
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            aria-describedby={error ? errorId : undefined}
          />
        </Field>
        <FormError id={errorId} error={error} />
        <SubmitButton busy={busy}>{busy ? t('signup.submitting') : t('signup.submit')}</SubmitButton>
      </form>
    </AuthCard>
  );
}
