// /claim/{token}: the 保管 page of the completion mail's Inkanで保管 button. It names the envelope and
// its sender; Inkanで保管 puts the signed documents into the signed-in account's register. Without a
// session it offers ログイン and アカウント登録, both of which come back here (next=/claim/{token}).
// After INKAN_CLAIM_TTL the server answers 410 and the page names the sender to contact.
import { useEffect, useState } from 'react';
import { ApiError, apiGet, apiPost } from '../api/client.ts';
import { errorMessage } from '../api/messages.ts';
import type { ClaimInfo } from '../api/register-types.ts';
import type { SessionResponse } from '../api/types.ts';
import { Alert } from '../components/alert.tsx';
import { PageShell } from '../components/page-shell.tsx';
import { Loading, StatePanel } from '../components/state-panel.tsx';
import { HelpLink } from '../components/sender-contact.tsx';
import { useI18n } from '../i18n/i18n-context.tsx';
import { formatDateTime } from '../i18n/translate.ts';
import { navigate } from '../lib/router.ts';
import { rememberSession } from './sender/sender-session.tsx';

type State =
  | { kind: 'loading' }
  | { kind: 'ready'; claim: ClaimInfo; signedIn: boolean }
  | { kind: 'expired'; sender: ClaimInfo['sender'] | null }
  | { kind: 'invalid' }
  | { kind: 'error'; error: unknown };

/** The 保管 page. */
export function ClaimPage({ token }: { token: string }) {
  const { t, language, describeError } = useI18n();
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const path = `/api/claims/${encodeURIComponent(token)}`;
  const here = `/claim/${encodeURIComponent(token)}`;

  useEffect(() => {
    let canceled = false;
    const session = apiGet<SessionResponse>('/api/session').then(
      (value) => {
        rememberSession(value);
        return true;
      },
      () => false,
    );
    Promise.all([apiGet<ClaimInfo>(path), session])
      .then(([claim, signedIn]) => !canceled && setState({ kind: 'ready', claim, signedIn }))
      .catch((caught: unknown) => {
        if (canceled) return;
        if (caught instanceof ApiError && caught.status === 410) {
          const details = caught.details as { sender?: ClaimInfo['sender'] };
          setState({ kind: 'expired', sender: details.sender ?? null });
        } else if (caught instanceof ApiError && caught.status === 404) {
          setState({ kind: 'invalid' });
        } else {
          setState({ kind: 'error', error: caught });
        }
      });
    return () => {
      canceled = true;
    };
  }, [path, describeError]);

  async function claim() {
    setBusy(true);
    setError(null);
    try {
      const result = await apiPost<{ contractId: string }>(path);
      // The entry lives in the account's personal register.
      // A claim goes to the personal register (also for a member whose session is on an organisation).
      navigate(`/contracts/${encodeURIComponent(result.contractId)}?scope=personal`);
    } catch (caught) {
      setError(errorMessage(language, caught));
      setBusy(false);
    }
  }

  let body;
  if (state.kind === 'loading') body = <Loading label={t('common.loading')} />;
  else if (state.kind === 'invalid') body = <StatePanel tone="error" title={t('claim.invalid')} />;
  else if (state.kind === 'error') body = <StatePanel tone="error" title={errorMessage(language, state.error)} />;
  else if (state.kind === 'expired') {
    body = (
      <StatePanel tone="warning" title={t('claim.expired.title')}>
        <p>{t('claim.expired.body')}</p>
        {state.sender && (
          <dl className="facts claim-sender">
            <div className="facts__row">
              <dt>{t('claim.sender.organization')}</dt>
              <dd>{state.sender.organization}</dd>
            </div>
            {state.sender.name && (
              <div className="facts__row">
                <dt>{t('claim.sender.name')}</dt>
                <dd>{state.sender.name}</dd>
              </div>
            )}
            {state.sender.email && (
              <div className="facts__row">
                <dt>{t('claim.sender.email')}</dt>
                <dd>
                  <a href={`mailto:${state.sender.email}`}>{state.sender.email}</a>
                </dd>
              </div>
            )}
          </dl>
        )}
        <HelpLink topic="store" />
      </StatePanel>
    );
  } else {
    const { claim: info, signedIn } = state;
    body = (
      <section className="card card--narrow claim-card" aria-labelledby="claim-title">
        <p className="eyebrow">{t('claim.eyebrow')}</p>
        <h1 className="page-title" id="claim-title">
          {info.envelope.name}
        </h1>
        <p>
          {info.sender.name
            ? t('claim.from', { organization: info.sender.organization, name: info.sender.name })
            : t('claim.fromOrganization', { organization: info.sender.organization })}
        </p>
        {error && <Alert tone="error">{error}</Alert>}
        {info.status === 'claimed-by-you' && info.contractId ? (
          <>
            <Alert tone="success">{t('claim.done')}</Alert>
            <a
              className="btn btn--primary btn--block btn--large"
              href={`/contracts/${encodeURIComponent(info.contractId)}?scope=personal`}
            >
              {t('claim.open')}
            </a>
          </>
        ) : info.status === 'claimed' ? (
          <Alert tone="warning">{t('error.CLAIM_ALREADY_USED')}</Alert>
        ) : signedIn ? (
          <>
            <p className="small muted">{t('claim.lead', { date: formatDateTime(language, info.expiresAt) })}</p>
            <button
              type="button"
              className="btn btn--primary btn--block btn--large"
              onClick={claim}
              disabled={busy}
              aria-busy={busy}
            >
              {t('claim.button')}
            </button>
          </>
        ) : (
          <>
            <p className="small muted">{t('claim.lead', { date: formatDateTime(language, info.expiresAt) })}</p>
            <p className="small">{t('claim.needAccount')}</p>
            <div className="claim-card__choices">
              <a className="btn btn--primary btn--block btn--large" href={`/login?next=${encodeURIComponent(here)}`}>
                {t('claim.login')}
              </a>
              <a className="btn btn--secondary btn--block btn--large" href={`/signup?next=${encodeURIComponent(here)}`}>
                {t('claim.signup')}
              </a>
            </div>
          </>
        )}
        <HelpLink topic="store" />
      </section>
    );
  }
  return (
    <PageShell width="narrow" title={t('claim.title')}>
      {body}
    </PageShell>
  );
}
