// /invitation?token=… (組織への招待): the link of the invitation mail. A new address sets its name and
// password and joins (a session starts); an existing account signs in first, then accepts.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError, apiGet, apiPost } from '../../api/client.ts';
import type { SessionResponse } from '../../api/types.ts';
import { Field, FormError, SubmitButton } from '../../components/form-parts.tsx';
import { Loading, StatePanel } from '../../components/state-panel.tsx';
import { PageShell } from '../../components/page-shell.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { navigate } from '../../lib/router.ts';
import { AuthCard, NewPasswordField } from '../account/auth-card.tsx';
import { useSubmit } from '../account/use-submit.tsx';
import { rememberSession } from '../sender/sender-session.tsx';

interface Preview {
  organizationName: string;
  email: string;
  role: 'admin' | 'member' | 'viewer';
  accountExists: boolean;
}

type AcceptResponse = Partial<SessionResponse> & { organizationId: string };

export function InvitationPage({ token }: { token: string | null }) {
  const { t } = useI18n();
  const [preview, setPreview] = useState<Preview | null>(null);
  const [invalid, setInvalid] = useState(false);
  const [signedInAs, setSignedInAs] = useState<string | null | undefined>(undefined);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useSubmit();
  const errorId = useId();

  useEffect(() => {
    if (!token) {
      setInvalid(true);
      return;
    }
    apiPost<Preview>('/api/invitations/preview', { token })
      .then(setPreview)
      .catch(() => setInvalid(true));
    apiGet<SessionResponse>('/api/session')
      .then((session) => {
        rememberSession(session);
        setSignedInAs(session.user.email);
      })
      .catch(() => setSignedInAs(null));
  }, [token]);

  if (invalid)
    return (
      <PageShell title={t('invitation.title')}>
        <StatePanel tone="warning" title={t('invitation.title')}>
          <p>{t('invitation.invalid')}</p>
        </StatePanel>
      </PageShell>
    );
  if (!preview || signedInAs === undefined)
    return (
      <PageShell title={t('invitation.title')}>
        <Loading label={t('common.loading')} />
      </PageShell>
    );

  async function finish(response: AcceptResponse) {
    if (response.user && response.csrfToken)
      rememberSession({
        user: response.user,
        csrfToken: response.csrfToken,
        mfaEnrolmentRequired: response.mfaEnrolmentRequired,
      });
    else {
      // An existing account: act for the organisation just joined.
      await apiPost('/api/session/organization', { organizationId: response.organizationId });
      rememberSession(await apiGet<SessionResponse>('/api/session'));
    }
    navigate(response.mfaEnrolmentRequired ? '/account/security' : '/envelopes', { replace: true });
  }
  function join(event: FormEvent) {
    event.preventDefault();
    void run(async () =>
      finish(await apiPost<AcceptResponse>('/api/invitations/accept', { token, name: name.trim(), password })),
    );
  }
  const accept = () =>
    run(async () => {
      try {
        await finish(await apiPost<AcceptResponse>('/api/invitations/accept', { token }));
      } catch (caught) {
        if (caught instanceof ApiError && caught.status === 410) setInvalid(true);
        else throw caught;
      }
    });

  const lead = t('invitation.lead', {
    organization: preview.organizationName,
    role: t(`admin.role.${preview.role}`),
    email: preview.email,
  });
  const next = `/invitation?token=${encodeURIComponent(token ?? '')}`;
  return (
    <AuthCard id="invitation" title={t('invitation.title')} lead={lead}>
      <FormError id={errorId} error={error} />
      {preview.accountExists ? (
        signedInAs === preview.email ? (
          <button
            type="button"
            className="btn btn--primary btn--block btn--large"
            disabled={busy}
            onClick={() => void accept()}
          >
            {t('invitation.accept')}
          </button>
        ) : (
          <>
            <p>{t('invitation.existing')}</p>
            <a className="btn btn--primary btn--block btn--large" href={`/login?next=${encodeURIComponent(next)}`}>
              {t('invitation.login')}
            </a>
          </>
        )
      ) : (
        <form className="form" onSubmit={join} noValidate>
          <p className="muted">{t('invitation.newAccount')}</p>
          <Field id="invitation-name" label={t('invitation.name')}>
            <input
              id="invitation-name"
              className="input"
              autoComplete="name"
              value={name}
              maxLength={100}
              onChange={(e) => setName(e.target.value)}
            />
          </Field>
          <NewPasswordField
            id="invitation-password"
            label={t('invitation.password')}
            value={password}
            onChange={setPassword}
            errorId={errorId}
            error={error}
          />
          <SubmitButton busy={busy}>{t('invitation.submit')}</SubmitButton>
        </form>
      )}
    </AuthCard>
  );
}
