// /s/{token}: the signer's whole journey — access code, review, confirmation, done — and every
// state in which signing is not possible (locked, expired, canceled, completed, declined).
import { useEffect, useState } from 'react';
import { ApiError, apiGet, apiPost, setSignerCsrfToken } from '../../api/client.ts';
import type { SenderContact, SessionResponse, SignerStatus, SignerView } from '../../api/types.ts';
import { HelpLink, SenderContactCard } from '../../components/sender-contact.tsx';
import { PageShell } from '../../components/page-shell.tsx';
import { Loading, StatePanel } from '../../components/state-panel.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import type { MessageKey } from '../../i18n/translate.ts';
import { rememberSession } from '../sender/sender-session.tsx';
import { AccessCodeForm } from './access-code-form.tsx';
import { ReviewScreen } from './review-screen.tsx';

type Phase =
  | { kind: 'loading' }
  | { kind: 'code'; status: SignerStatus }
  | { kind: 'review'; view: SignerView }
  | { kind: 'signed'; allSigned?: boolean }
  | { kind: 'declined' }
  | { kind: 'closed'; state: ClosedState }
  | { kind: 'error'; message: string };

type ClosedState =
  | 'waiting'
  | 'locked'
  | 'expired'
  | 'canceled'
  | 'completed'
  | 'declined'
  | 'invalid'
  | 'notYourTurn'
  | 'notActive'
  | 'loginRequired'
  | 'wrongUser';

/** Maps a server state or error code to the page that explains it. */
function closedStateOf(value: string): ClosedState {
  switch (value) {
    case 'locked':
    case 'ACCESS_CODE_LOCKED':
      return 'locked';
    case 'expired':
    case 'LINK_EXPIRED':
      return 'expired';
    case 'canceled':
      return 'canceled';
    case 'ENVELOPE_NOT_ACTIVE':
      return 'notActive';
    case 'signed':
    case 'ALREADY_SIGNED':
      return 'waiting';
    case 'completed':
      return 'completed';
    case 'declined':
      return 'declined';
    case 'NOT_YOUR_TURN':
      return 'notYourTurn';
    case 'login_required':
      return 'loginRequired';
    default:
      return 'invalid';
  }
}

/** The signer page for `token`. */
export function SignerPage({ token }: { token: string }) {
  const { t, suggestLanguage, describeError } = useI18n();
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  // Whom to ask: from the link's state, then from the signer view (the same contact).
  const [sender, setSender] = useState<SenderContact | null>(null);
  const base = `/api/sign/${encodeURIComponent(token)}`;

  useEffect(() => {
    let canceled = false;
    void (async () => {
      try {
        const status = await apiGet<SignerStatus>(base);
        if (canceled) return;
        if (status.language === 'ja' || status.language === 'en') suggestLanguage(status.language);
        if (status.sender) setSender(status.sender);
        if (status.state !== 'code_required' && status.state !== 'login_required') {
          return setPhase({ kind: 'closed', state: closedStateOf(status.state) });
        }
        // After a reload the signer cookie may still be valid: resume without asking again — but
        // only with its CSRF token, without which signing would fail later.
        const view = await apiGet<SignerView>(`${base}/view`).catch(() => null);
        if (canceled) return;
        if (view?.csrfToken) {
          if (view.envelope.sender) setSender(view.envelope.sender);
          setSignerCsrfToken(view.csrfToken);
          return setPhase(phaseOfView(view));
        }
        if (status.state === 'code_required') return setPhase({ kind: 'code', status });
        // The organisation's own signer: their sign-in proves who they are.
        const session = await apiGet<SessionResponse>('/api/session').catch(() => null);
        if (canceled) return;
        if (!session) return setPhase({ kind: 'closed', state: 'loginRequired' });
        rememberSession(session);
        try {
          const opened = await apiPost<SignerView>(`${base}/login`);
          if (canceled) return;
          setSignerCsrfToken(opened.csrfToken ?? null);
          if (opened.envelope.sender) setSender(opened.envelope.sender);
          setPhase(phaseOfView(opened));
        } catch (caught) {
          if (canceled) return;
          if (caught instanceof ApiError && (caught.code === 'FORBIDDEN' || caught.code === 'UNAUTHENTICATED')) {
            return setPhase({ kind: 'closed', state: caught.code === 'FORBIDDEN' ? 'wrongUser' : 'loginRequired' });
          }
          throw caught;
        }
      } catch (caught) {
        if (canceled) return;
        if (caught instanceof ApiError && (caught.code === 'LINK_INVALID' || caught.code === 'NOT_FOUND')) {
          return setPhase({ kind: 'closed', state: 'invalid' });
        }
        if (caught instanceof ApiError && caught.code === 'LINK_EXPIRED')
          return setPhase({ kind: 'closed', state: 'expired' });
        setPhase({ kind: 'error', message: describeError(caught) });
      }
    })();
    return () => {
      canceled = true;
    };
    // describeError and suggestLanguage never change: a language switch does not reload the page's state.
  }, [base, attempt, describeError, suggestLanguage]);

  // Move focus to the new heading when the phase changes, for keyboard and screen-reader users.
  useEffect(() => {
    if (phase.kind === 'loading' || phase.kind === 'code' || phase.kind === 'review') return;
    document.getElementById('state-title')?.focus();
  }, [phase.kind]);

  let content;
  switch (phase.kind) {
    case 'loading':
      content = <Loading label={t('common.loading')} />;
      break;
    case 'code':
      content = (
        <AccessCodeForm
          token={token}
          senderOrganization={phase.status.senderOrganization}
          sender={sender}
          onPassed={(view) => {
            if (view.envelope.sender) setSender(view.envelope.sender);
            setPhase(phaseOfView(view));
          }}
          onLocked={() => setPhase({ kind: 'closed', state: 'locked' })}
        />
      );
      break;
    case 'review':
      content = (
        <ReviewScreen
          token={token}
          view={phase.view}
          onSigned={(view) => setPhase({ kind: 'signed', allSigned: view.envelope.allSigned })}
          sender={sender}
          onDeclined={() => setPhase({ kind: 'declined' })}
          onBlocked={(code) =>
            setPhase(code === 'ALREADY_SIGNED' ? { kind: 'signed' } : { kind: 'closed', state: closedStateOf(code) })
          }
        />
      );
      break;
    case 'signed':
      content = (
        <StatePanel tone="success" title={t('signer.done.title')}>
          <p>{t('signer.done.body')}</p>
          <p>{t(phase.allSigned ? 'signer.done.mailAllSigned' : 'signer.done.mail')}</p>
          <p className="muted">{t('signer.done.close')}</p>
          {sender && <SenderContactCard contact={sender} />}
          <HelpLink topic="verify" />
        </StatePanel>
      );
      break;
    case 'declined':
      content = (
        <StatePanel tone="neutral" title={t('signer.declined.title')}>
          <p>{t('signer.declined.body')}</p>
          {sender && <SenderContactCard contact={sender} />}
          <HelpLink />
        </StatePanel>
      );
      break;
    case 'closed':
      content = <ClosedPanel state={phase.state} token={token} sender={sender} />;
      break;
    case 'error':
      content = (
        <StatePanel tone="error" title={phase.message}>
          <HelpLink />
          <button
            type="button"
            className="btn btn--secondary"
            onClick={() => (setPhase({ kind: 'loading' }), setAttempt((n) => n + 1))}
          >
            {t('common.retry')}
          </button>
        </StatePanel>
      );
      break;
  }
  const title =
    phase.kind === 'review'
      ? t('signer.review.title')
      : phase.kind === 'signed'
        ? t('signer.done.title')
        : t('signer.code.title');
  return (
    <PageShell width={phase.kind === 'review' ? 'wide' : 'normal'} title={title}>
      {content}
    </PageShell>
  );
}

function phaseOfView(view: SignerView): Phase {
  if (view.recipient.status === 'signed') return { kind: 'signed', allSigned: view.envelope.allSigned };
  if (view.recipient.status === 'declined') return { kind: 'closed', state: 'declined' };
  if (view.recipient.status === 'locked') return { kind: 'closed', state: 'locked' };
  return { kind: 'review', view };
}

/** The help topic that explains each closed state. */
const HELP_TOPIC: Record<ClosedState, string | undefined> = {
  waiting: 'after-signing',
  locked: 'locked',
  expired: 'expired',
  canceled: undefined,
  completed: 'download',
  declined: undefined,
  invalid: 'link',
  notYourTurn: 'after-signing',
  notActive: undefined,
  loginRequired: undefined,
  wrongUser: undefined,
};

function ClosedPanel({ state, token, sender }: { state: ClosedState; token: string; sender: SenderContact | null }) {
  const { t } = useI18n();
  const tone =
    state === 'completed' || state === 'waiting'
      ? 'success'
      : state === 'locked' || state === 'invalid'
        ? 'error'
        : state === 'loginRequired'
          ? 'neutral'
          : 'warning';
  const key = (suffix: 'title' | 'body') => `signer.state.${state}.${suffix}` as MessageKey;
  return (
    <StatePanel tone={tone} title={t(key('title'))}>
      <p>{t(key('body'))}</p>
      {(state === 'loginRequired' || state === 'wrongUser') && (
        <a className="btn btn--primary" href={`/login?next=${encodeURIComponent(`/s/${token}`)}`}>
          {t('signer.state.loginRequired.action')}
        </a>
      )}
      {sender && state !== 'loginRequired' && state !== 'wrongUser' && <SenderContactCard contact={sender} />}
      <HelpLink topic={HELP_TOPIC[state]} />
    </StatePanel>
  );
}
