import { cookieName } from '../../engine/http/auth';

/** The fields of Electron's `CookiesSetDetails` that the hand-off sets (kept Electron-free to test). */
export interface TokenCookie {
  url: string;
  name: string;
  value: string;
  path: '/';
  httpOnly: true;
  secure: false;
  sameSite: 'strict';
}

/**
 * The admin token goes to the window as the same HttpOnly cookie that the dashboard URL's
 * `/?token=` swap sets (engine/http/server.ts), written into the window's session before the
 * first load: the token is never in a URL that the user could copy, share or see in history,
 * and the page's scripts cannot read it. No expiry: a session cookie, not kept on disk; each
 * start sets it again.
 */
export function tokenCookie(engineUrl: string, port: number, token: string): TokenCookie {
  return {
    url: `${new URL(engineUrl).origin}/`,
    name: cookieName(port),
    // The server reads it with the `cookie` package, which URI-decodes values.
    value: encodeURIComponent(token),
    path: '/',
    httpOnly: true,
    secure: false,
    sameSite: 'strict',
  };
}

/** What the window loads: the dashboard's root, never the `?token=` URL printed for browsers. */
export function dashboardWindowUrl(engineUrl: string): string {
  return `${new URL(engineUrl).origin}/`;
}
