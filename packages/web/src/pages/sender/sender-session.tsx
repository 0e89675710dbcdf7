// The signed-in sender: loaded once from GET /api/session, shared by the sender pages, and the
// frame (navigation, sign-out) around them. Without a session the pages go to /login.
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { ApiError, apiGet, apiRequest, setSenderCsrfToken } from '../../api/client.ts';
import type { SessionResponse, User } from '../../api/types.ts';
import { PageShell } from '../../components/page-shell.tsx';
import { Loading, StatePanel } from '../../components/state-panel.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { navigate } from '../../lib/router.ts';
import { Link, useLocation } from '../../lib/use-location.tsx';

let cachedUser: User | null = null;
// An organisation's MFA policy holds the session at /account/security until a second factor is enrolled.
let enrolmentRequired = false;

/** Records a fresh session (after sign-in) so that the next page does not ask again. */
export function rememberSession(session: SessionResponse): void {
  cachedUser = session.user;
  enrolmentRequired = session.mfaEnrolmentRequired === true;
  setSenderCsrfToken(session.csrfToken);
}

/** The account has enrolled a second factor: the MFA policy no longer holds it. */
export function rememberEnrolled(): void {
  enrolmentRequired = false;
}

/** Replaces the remembered account (after a profile change), for the pages opened next. */
export function rememberUser(user: User): void {
  cachedUser = user;
}

/** Forgets the session (after sign-out). */
export function forgetSession(): void {
  cachedUser = null;
  setSenderCsrfToken(null);
}

/** A path inside this site, or null: never redirect to another origin after sign-in. */
export function safeNextPath(next: string | null): string | null {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : null;
}

const UserContext = createContext<User | null>(null);

/** The signed-in user (inside SenderShell only). */
export function useUser(): User {
  const user = useContext(UserContext);
  if (!user) throw new Error('useUser outside SenderShell');
  return user;
}

/** Sender page frame; renders `children` once the session is known. */
export function SenderShell({
  children,
  width = 'wide',
  title,
}: {
  children: ReactNode;
  width?: 'normal' | 'wide';
  title?: string;
}) {
  const { t, describeError } = useI18n();
  const location = useLocation();
  const [user, setUser] = useState<User | null>(cachedUser);
  const [error, setError] = useState<string | null>(null);
  // The organisation's IP allow-list does not cover this network: a page that says so, and sign-out.
  const [ipRefusal, setIpRefusal] = useState<string | null>(null);
  const held = enrolmentRequired && location.split('?')[0] !== '/account/security';

  useEffect(() => {
    if (user && held) navigate('/account/security', { replace: true });
  }, [user, held]);

  useEffect(() => {
    if (cachedUser) return;
    let canceled = false;
    apiGet<SessionResponse>('/api/session')
      .then((session) => {
        if (canceled) return;
        rememberSession(session);
        setUser(session.user);
      })
      .catch((caught: unknown) => {
        if (canceled) return;
        if (caught instanceof ApiError && caught.status === 401) {
          navigate(`/login?next=${encodeURIComponent(location)}`, { replace: true });
          return;
        }
        if (caught instanceof ApiError && caught.code === 'IP_NOT_ALLOWED') {
          setIpRefusal(caught.message);
          return;
        }
        setError(describeError(caught));
      });
    return () => {
      canceled = true;
    };
    // Only the first render of a sender page needs the session (later navigation keeps it).
    // eslint-disable-next-line react-hooks/exhaustive-deps -- deliberately run once per mount
  }, []);

  async function signOut() {
    try {
      await apiRequest('DELETE', '/api/session');
    } finally {
      forgetSession();
      navigate('/login', { replace: true });
    }
  }

  const path = location.split('?')[0];
  const nav = user ? (
    <nav className="sender-nav" aria-label={t('nav.label')}>
      {user.organization && (
        <Link href="/envelopes" className="sender-nav__link" aria-current={path === '/envelopes' ? 'page' : undefined}>
          {t('nav.envelopes')}
        </Link>
      )}
      {user.organization && (
        <Link
          href="/address-book"
          className="sender-nav__link"
          aria-current={path === '/address-book' ? 'page' : undefined}
        >
          {t('nav.addressBook')}
        </Link>
      )}
      {user.organization && user.role !== 'viewer' && (
        <Link
          href="/approvals"
          className="sender-nav__link"
          aria-current={path?.startsWith('/approvals') ? 'page' : undefined}
        >
          {t('nav.approvals')}
        </Link>
      )}
      <Link
        href="/contracts"
        className="sender-nav__link"
        aria-current={path?.startsWith('/contracts') ? 'page' : undefined}
      >
        {t('nav.contracts')}
      </Link>
      {user.role === 'admin' && (
        <Link href="/audit" className="sender-nav__link" aria-current={path === '/audit' ? 'page' : undefined}>
          {t('nav.audit')}
        </Link>
      )}
      {user.role === 'admin' && (
        <Link
          href="/admin/organization"
          className="sender-nav__link"
          aria-current={path?.startsWith('/admin/') ? 'page' : undefined}
        >
          {t('nav.admin')}
        </Link>
      )}
      <Link href="/account" className="sender-nav__link" aria-current={path === '/account' ? 'page' : undefined}>
        {t('nav.account')}
      </Link>
      <span className="sender-nav__user" title={user.email}>
        {user.organization && <span className="sender-nav__org">{user.organization.name}</span>}
        <span className="sender-nav__name">{user.name || user.email}</span>
      </span>
      <button type="button" className="btn btn--ghost btn--small" onClick={signOut}>
        {t('login.logout')}
      </button>
    </nav>
  ) : undefined;

  return (
    <PageShell width={width} nav={nav} brandHref={user && !user.organization ? '/account' : '/envelopes'} title={title}>
      {ipRefusal !== null ? (
        <StatePanel tone="error" title={t('ipRefused.title')}>
          <p data-testid="ip-refused">{ipRefusal}</p>
          <button type="button" className="btn btn--secondary" onClick={() => void signOut().catch(() => undefined)}>
            {t('ipRefused.signOut')}
          </button>
        </StatePanel>
      ) : error ? (
        <StatePanel tone="error" title={error} />
      ) : user && !held ? (
        <UserContext.Provider value={user}>{children}</UserContext.Provider>
      ) : (
        <Loading label={t('common.loading')} />
      )}
    </PageShell>
  );
}
