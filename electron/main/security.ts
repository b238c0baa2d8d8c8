/**
 * The window's security decisions, kept apart from Electron so they can be tested: where the
 * window may navigate, which requests and permissions it gets, which IPC senders are trusted.
 */

/**
 * The dashboard's Content-Security-Policy, enforced by the window's session on every document
 * of the dashboard's origin that comes without one (the engine sends this same policy with the
 * dashboard's index page).
 */
export const DASHBOARD_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

export type NavigationDecision = 'allow' | 'external' | 'deny';

/**
 * Where a page may take the window: the dashboard's own origin stays in the window; http(s)
 * links elsewhere open in the system browser; anything else (file:, javascript:, custom
 * schemes, unparsable URLs) goes nowhere.
 */
export function navigationDecision(target: string, appOrigin: string | null): NavigationDecision {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return 'deny';
  }
  if (appOrigin !== null && url.origin === appOrigin && url.protocol === 'http:') return 'allow';
  if (url.protocol === 'http:' || url.protocol === 'https:') return 'external';
  return 'deny';
}

/** A URL safe to hand to the system browser (`shell.openExternal`): http or https only. */
export function externalUrl(target: string): string | null {
  try {
    const url = new URL(target);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * Network requests the window's session lets through: its own origin only. The dashboard
 * works offline by design, so a request elsewhere is a bug or an injection, and is cancelled.
 * Non-network schemes (data:, blob:, devtools:) are left to Chromium.
 */
export function requestAllowed(target: string, appOrigin: string | null): boolean {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return false;
  }
  const network = ['http:', 'https:', 'ws:', 'wss:', 'ftp:', 'file:'];
  if (!network.includes(url.protocol)) return true;
  return appOrigin !== null && url.origin === appOrigin;
}

/**
 * Permissions the window may have: writing to the clipboard (the dashboard's "copy snippet"),
 * from the dashboard's origin only. Camera, notifications, geolocation and the rest: no.
 */
export function permissionAllowed(permission: string, requestingUrl: string, appOrigin: string | null): boolean {
  if (permission !== 'clipboard-sanitized-write') return false;
  try {
    return appOrigin !== null && new URL(requestingUrl).origin === appOrigin;
  } catch {
    return false;
  }
}

/** Response headers with the dashboard CSP added where the response carries none. */
export function withCsp(headers: Record<string, string[]>, csp: string = DASHBOARD_CSP): Record<string, string[]> {
  if (Object.keys(headers).some((k) => k.toLowerCase() === 'content-security-policy')) return headers;
  return { ...headers, 'Content-Security-Policy': [csp] };
}

/**
 * Whether an IPC message comes from a page the bridge serves: the main frame of Footfall's own
 * window, showing either the dashboard (its origin) or the startup page (its exact URL).
 */
export function trustedSender(frameUrl: string | null, isMainFrame: boolean, allowed: { appOrigin: string | null; startupPageUrl: string | null }): boolean {
  if (frameUrl === null || !isMainFrame) return false;
  if (allowed.startupPageUrl !== null && frameUrl === allowed.startupPageUrl) return true;
  try {
    return allowed.appOrigin !== null && new URL(frameUrl).origin === allowed.appOrigin;
  } catch {
    return false;
  }
}
