// A tiny History API router: the app has a handful of routes, so no library is needed.
import { ADMIN_SECTIONS, type AdminSectionKey } from '../pages/admin/admin-sections.ts';

type Listener = () => void;
const listeners = new Set<Listener>();

function notify(): void {
  for (const listener of listeners) listener();
}

window.addEventListener('popstate', notify);

/** Goes to an in-app URL without reloading the page. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  notify();
  window.scrollTo(0, 0);
}

/** Subscribes to URL changes; returns the unsubscribe function. */
export function subscribeLocation(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The current path plus query, the snapshot that React compares. */
export function currentLocation(): string {
  return window.location.pathname + window.location.search;
}

/** A route match: the route's name and its decoded path parameters. */
export type RouteMatch =
  | { name: 'home' }
  | { name: 'login' }
  | { name: 'login-link'; token: string | null }
  | { name: 'envelopes' }
  | { name: 'envelope-new' }
  | { name: 'envelope'; id: string }
  | { name: 'envelope-review'; id: string }
  | { name: 'envelope-edit'; id: string }
  | { name: 'sign'; token: string }
  | { name: 'download'; token: string }
  | { name: 'verify'; certificateId: string | null }
  | { name: 'help' }
  | { name: 'audit' }
  | { name: 'contracts' }
  | { name: 'contract-import' }
  | { name: 'contract-deadlines' }
  | { name: 'contract-renewals' }
  | { name: 'contract'; id: string }
  | { name: 'claim'; token: string }
  | { name: 'signup'; next: string | null }
  | { name: 'signup-complete'; token: string | null }
  | { name: 'password-forgot' }
  | { name: 'password-reset'; token: string | null }
  | { name: 'account' }
  | { name: 'account-security' }
  | { name: 'email-confirm'; token: string | null }
  | { name: 'admin'; section: AdminSectionKey }
  | { name: 'invitation'; token: string | null }
  | { name: 'organization-seal' }
  | { name: 'address-book' }
  | { name: 'templates' }
  | { name: 'template'; id: string }
  | { name: 'signer-registration'; token: string }
  | { name: 'approvals' }
  | { name: 'approval'; id: string }
  | { name: 'not-found' };

/** Maps a URL to a route. */
export function matchRoute(pathname: string, search: string): RouteMatch {
  const path = pathname.replace(/\/+$/, '') || '/';
  let m: RegExpMatchArray | null;
  if (path === '/') return { name: 'home' };
  if (path === '/login') return { name: 'login' };
  if (path === '/login/link') return { name: 'login-link', token: new URLSearchParams(search).get('token') };
  if (path === '/envelopes') return { name: 'envelopes' };
  if (path === '/envelopes/new') return { name: 'envelope-new' };
  if (path === '/audit') return { name: 'audit' };
  if (path === '/approvals') return { name: 'approvals' };
  if ((m = path.match(/^\/approvals\/([^/]+)$/))) return { name: 'approval', id: decodeURIComponent(m[1]!) };
  if (path === '/admin/seal') return { name: 'organization-seal' };
  if (path === '/address-book') return { name: 'address-book' };
  if (path === '/templates') return { name: 'templates' };
  if ((m = path.match(/^\/templates\/([^/]+)$/))) return { name: 'template', id: decodeURIComponent(m[1]!) };
  if ((m = path.match(/^\/signer-registration\/([^/]+)$/)))
    return { name: 'signer-registration', token: decodeURIComponent(m[1]!) };
  if (path === '/contracts') return { name: 'contracts' };
  if (path === '/contracts/import') return { name: 'contract-import' };
  if (path === '/contracts/deadlines') return { name: 'contract-deadlines' };
  if (path === '/contracts/renewals') return { name: 'contract-renewals' };
  if ((m = path.match(/^\/contracts\/([^/]+)$/))) return { name: 'contract', id: decodeURIComponent(m[1]!) };
  if ((m = path.match(/^\/claim\/([^/]+)$/))) return { name: 'claim', token: decodeURIComponent(m[1]!) };
  const query = new URLSearchParams(search);
  if (path === '/signup') return { name: 'signup', next: query.get('next') };
  if (path === '/signup/complete') return { name: 'signup-complete', token: query.get('token') };
  if (path === '/password/forgot') return { name: 'password-forgot' };
  if (path === '/password/reset') return { name: 'password-reset', token: query.get('token') };
  if (path === '/account') return { name: 'account' };
  if (path === '/account/security') return { name: 'account-security' };
  if (path === '/account/email/confirm') return { name: 'email-confirm', token: query.get('token') };
  if (path === '/invitation') return { name: 'invitation', token: query.get('token') };
  if (path === '/admin') return { name: 'admin', section: 'organization' };
  if ((m = path.match(/^\/admin\/([a-z-]+)$/))) {
    const section = ADMIN_SECTIONS.find((s) => s.key === m![1]);
    if (section) return { name: 'admin', section: section.key };
  }
  if ((m = path.match(/^\/envelopes\/([^/]+)$/))) return { name: 'envelope', id: decodeURIComponent(m[1]!) };
  if ((m = path.match(/^\/envelopes\/([^/]+)\/review$/)))
    return { name: 'envelope-review', id: decodeURIComponent(m[1]!) };
  if ((m = path.match(/^\/envelopes\/([^/]+)\/edit$/))) return { name: 'envelope-edit', id: decodeURIComponent(m[1]!) };
  if ((m = path.match(/^\/s\/([^/]+)$/))) return { name: 'sign', token: decodeURIComponent(m[1]!) };
  if ((m = path.match(/^\/d\/([^/]+)$/))) return { name: 'download', token: decodeURIComponent(m[1]!) };
  if (path === '/help') return { name: 'help' };
  if (path === '/verify') return { name: 'verify', certificateId: new URLSearchParams(search).get('id') };
  return { name: 'not-found' };
}
