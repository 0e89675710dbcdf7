// /signup/complete?token=…: the form behind the mail's アカウント登録手続きへ button — 氏名, 会社名・団体名
// (optional), password — then アカウントを登録してログイン signs in and returns to `next`.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { apiGet, apiPost } from '../../api/client.ts';
import type { SessionResponse } from '../../api/types.ts';
import { Field, FormError, SubmitButton } from '../../components/form-parts.tsx';
import { Loading, StatePanel } from '../../components/state-panel.tsx';
import { PageShell } from '../../components/page-shell.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { navigate } from '../../lib/router.ts';
import { Link } from '../../lib/use-location.tsx';
import { rememberSession, safeNextPath } from '../sender/sender-session.tsx';
import { AuthCard, homeOf, NewPasswordField } from './auth-card.tsx';
import { useSubmit } from './use-submit.tsx';

interface SignupLink {
  email: string;
  next: string | null;
}

/** The registration form of a sign-up link. */
export function SignupCompletePage({ token }: { token: string | null }) {
  const { t, describeError } = useI18n();
  const [link, setLink] = useState<SignupLink | null>(null);
  const [linkError, setLinkError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [company, setCompany] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, setError, run } = useSubmit();
  const errorId = useId();

  useEffect(() => {
    if (!token) return setLinkError(t('error.LINK_INVALID'));
    apiGet<SignupLink>(`/api/account/signup/link?token=${encodeURIComponent(token)}`)
      .then(setLink)
      .catch((caught: unknown) => setLinkError(describeError(caught)));
    // Read again only when the token (or the language of its error) changes; the GET has no side effects.
  }, [token, t, describeError]);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) return setError(t('signupComplete.nameRequired'));
    if ([...password].length < 10) return setError(t('error.PASSWORD_TOO_SHORT'));
    void run(async () => {
      const done = await apiPost<SessionResponse & { next: string | null }>('/api/account/signup/complete', {
        token,
        name: name.trim(),
        companyName: company.trim() || null,
        password,
      });
      rememberSession(done);
      navigate(safeNextPath(done.next) ?? homeOf(done.user), { replace: true });
    });
  }

  if (linkError) {
    return (
      <PageShell title={t('signupComplete.title')}>
        <StatePanel tone="warning" title={linkError}>
          <Link className="btn btn--secondary" href="/signup">
            {t('signupComplete.again')}
          </Link>
        </StatePanel>
      </PageShell>
    );
  }
  if (!link) {
    return (
      <PageShell title={t('signupComplete.title')}>
        <Loading label={t('signupComplete.checking')} />
      </PageShell>
    );
  }
  return (
    <AuthCard id="signup-complete" title={t('signupComplete.title')} lead={t('signupComplete.lead')}>
      <form className="form" onSubmit={submit} noValidate>
        <Field id="signup-complete-email" label={t('signupComplete.email')}>
          <input
            id="signup-complete-email"
            className="input"
            type="email"
            autoComplete="username"
            value={link.email}
            readOnly
          />
        </Field>
        <Field id="signup-complete-name" label={`${t('signupComplete.name')}（${t('common.required')}）`}>
          <input
            id="signup-complete-name"
            className="input"
            autoComplete="name"
            autoFocus
            maxLength={100}
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        </Field>
        <Field id="signup-complete-company" label={`${t('signupComplete.company')}（${t('common.optional')}）`}>
          <input
            id="signup-complete-company"
            className="input"
            autoComplete="organization"
            maxLength={200}
            value={company}
            onChange={(event) => setCompany(event.target.value)}
          />
        </Field>
        <NewPasswordField
          id="signup-complete-password"
          label={t('signupComplete.password')}
          value={password}
          onChange={setPassword}
          errorId={errorId}
          error={error}
        />
        <FormError id={errorId} error={error} />
        <SubmitButton busy={busy}>{busy ? t('signupComplete.submitting') : t('signupComplete.submit')}</SubmitButton>
      </form>
    </AuthCard>
  );
}
