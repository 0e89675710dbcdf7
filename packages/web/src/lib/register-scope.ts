// Which register a page shows: the active organisation's (the default) or, for a member, the account's
// personal one (claims and imports of their own). It lives in the URL (`?scope=personal`) and goes to
// every register API call, so links, reloads and back/forward keep it.

export type RegisterView = 'organization' | 'personal';

/** The register a page URL (path + query) means. */
export function registerViewOf(location: string): RegisterView {
  const query = location.includes('?') ? location.slice(location.indexOf('?')) : '';
  return new URLSearchParams(query).get('scope') === 'personal' ? 'personal' : 'organization';
}

/** `path` (a page or an API path, with or without a query) in the given register. */
export function scopedPath(path: string, view: RegisterView): string {
  if (view === 'organization') return path;
  return `${path}${path.includes('?') ? '&' : '?'}scope=personal`;
}
