/**
 * Hash routing: `#/path?params`. Everything a view shows is in the hash (range, filters,
 * traffic classes), so any view can be bookmarked or shared as it is.
 */

/** The page of a list: the cursors of the pages before it and of it, `.`-separated. */
export const PAGE_PARAM = 'cursor';

/** Parameters that follow the user from view to view (`filter` may repeat: explore's filters). */
export const GLOBAL_PARAMS = ['range', 'from', 'to', 'traffic', 'all', 'filter'] as const;

export type Route =
  | { view: 'overview' }
  | { view: 'sessions' }
  | { view: 'session'; id: string }
  | { view: 'profiles' }
  | { view: 'profile'; id: string }
  | { view: 'events' }
  | { view: 'rejected' }
  | { view: 'live' }
  | { view: 'sources' }
  | { view: 'settings' }
  | { view: 'simulator' }
  | { view: 'properties' }
  | { view: 'funnels' }
  | { view: 'paths' }
  | { view: 'retention' }
  | { view: 'plan' }
  | { view: 'not-found'; path: string };

function split(hash: string): { path: string; search: string } {
  const h = hash.replace(/^#/, '');
  const i = h.indexOf('?');
  const path = (i < 0 ? h : h.slice(0, i)) || '/';
  return { path: path.startsWith('/') ? path : `/${path}`, search: i < 0 ? '' : h.slice(i + 1) };
}

export function matchRoute(path: string): Route {
  const parts = path.split('/').filter((p) => p !== '');
  const [head, id, ...rest] = parts;
  if (rest.length > 0) return { view: 'not-found', path };
  let decoded: string | undefined;
  try {
    decoded = id === undefined ? undefined : decodeURIComponent(id);
  } catch {
    // A hand-typed escape that is not UTF-8: no record has that id.
    return { view: 'not-found', path };
  }
  switch (head) {
    case undefined:
      return { view: 'overview' };
    case 'sessions':
      return decoded === undefined ? { view: 'sessions' } : { view: 'session', id: decoded };
    case 'profiles':
      return decoded === undefined ? { view: 'profiles' } : { view: 'profile', id: decoded };
    case 'events':
    case 'rejected':
    case 'live':
    case 'sources':
    case 'settings':
    case 'simulator':
    case 'properties':
    case 'funnels':
    case 'paths':
    case 'retention':
    case 'plan':
      return decoded === undefined ? { view: head } : { view: 'not-found', path };
    default:
      return { view: 'not-found', path };
  }
}

/** A list sets the parameter once per item (none: removed). */
type ParamPatch = Record<string, string | readonly string[] | null | undefined>;

function apply(q: URLSearchParams, patch: ParamPatch): void {
  for (const [k, v] of Object.entries(patch)) {
    q.delete(k);
    if (Array.isArray(v)) for (const x of v) q.append(k, x);
    else if (v !== null && v !== undefined && v !== '') q.set(k, v as string);
  }
}

class Router {
  #hash = $state(location.hash);
  path = $derived(split(this.#hash).path);
  search = $derived(split(this.#hash).search);
  /** Read-only view of the parameters; change them with `update`. */
  params = $derived(new URLSearchParams(this.search));
  route = $derived(matchRoute(this.path));

  constructor() {
    window.addEventListener('hashchange', () => {
      this.#hash = location.hash;
    });
  }

  /** A link to `path` that keeps the range and traffic classes, plus `params`. */
  href(path: string, params: ParamPatch = {}): string {
    const q = new URLSearchParams();
    for (const k of GLOBAL_PARAMS) for (const v of this.params.getAll(k)) q.append(k, v);
    apply(q, params);
    const s = q.toString();
    return `#${path}${s === '' ? '' : `?${s}`}`;
  }

  /**
   * Changes parameters of the current view (null removes one). A list's page (`cursor`)
   * belongs to its filters: any other change goes back to the first page.
   */
  update(patch: ParamPatch, opts: { replace?: boolean } = {}): void {
    const q = new URLSearchParams(this.search);
    if (!(PAGE_PARAM in patch)) q.delete(PAGE_PARAM);
    apply(q, patch);
    const s = q.toString();
    this.navigate(`#${this.path}${s === '' ? '' : `?${s}`}`, opts.replace ?? false);
  }

  go(path: string, params: ParamPatch = {}): void {
    this.navigate(this.href(path, params), false);
  }

  private navigate(hash: string, replace: boolean): void {
    if (hash === location.hash || (hash === '#/' && location.hash === '')) return;
    if (replace) history.replaceState(null, '', hash);
    else history.pushState(null, '', hash);
    // pushState does not fire hashchange: update the state ourselves.
    this.#hash = hash;
  }
}

export const router = new Router();

/** The link to one session or profile; ids may hold any character, so they are encoded. */
export const sessionHref = (id: string): string => router.href(`/sessions/${encodeURIComponent(id)}`);
export const profileHref = (id: string): string => router.href(`/profiles/${encodeURIComponent(id)}`);
