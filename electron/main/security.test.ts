import { describe, expect, it } from 'vitest';
import { dashboardWindowUrl, tokenCookie } from './handoff';
import { DASHBOARD_CSP, externalUrl, navigationDecision, permissionAllowed, requestAllowed, trustedSender, withCsp } from './security';

const ORIGIN = 'http://127.0.0.1:8686';

describe('token hand-off', () => {
  it('sets the HttpOnly cookie the engine reads, for the engine origin, and loads a URL without the token', () => {
    const c = tokenCookie('http://127.0.0.1:8686', 8686, 'a b;c/Ω');
    expect(c).toEqual({ url: 'http://127.0.0.1:8686/', name: 'footfall_token_8686', value: 'a%20b%3Bc%2F%CE%A9', path: '/', httpOnly: true, secure: false, sameSite: 'strict' });
    expect(decodeURIComponent(c.value)).toBe('a b;c/Ω');
    expect(dashboardWindowUrl('http://127.0.0.1:8686')).toBe('http://127.0.0.1:8686/');
    expect(dashboardWindowUrl('http://[::1]:9000')).toBe('http://[::1]:9000/');
  });
});

describe('navigationDecision', () => {
  it('keeps the dashboard origin in the window', () => {
    expect(navigationDecision('http://127.0.0.1:8686/sessions?range=7d#x', ORIGIN)).toBe('allow');
  });
  it('sends other http(s) pages, including the same host on another port, to the system browser', () => {
    expect(navigationDecision('https://example.com/docs', ORIGIN)).toBe('external');
    expect(navigationDecision('http://127.0.0.1:8687/', ORIGIN)).toBe('external');
    expect(navigationDecision('http://localhost:8686/', ORIGIN)).toBe('external');
  });
  it('refuses other schemes and junk, and everything but the web when no dashboard is shown', () => {
    for (const u of ['file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,hi', 'footfall://x', 'not a url', 'chrome://settings']) {
      expect(navigationDecision(u, ORIGIN)).toBe('deny');
    }
    expect(navigationDecision('http://127.0.0.1:8686/', null)).toBe('external');
  });
  it('hands only http(s) to openExternal', () => {
    expect(externalUrl('https://example.com/a b')).toBe('https://example.com/a%20b');
    expect(externalUrl('smb://server/share')).toBeNull();
    expect(externalUrl('file:///tmp/x')).toBeNull();
    expect(externalUrl('::')).toBeNull();
  });
});

describe('requestAllowed', () => {
  it('lets the dashboard reach its own origin and nothing else on the network', () => {
    expect(requestAllowed('http://127.0.0.1:8686/api/info', ORIGIN)).toBe(true);
    expect(requestAllowed('https://cdn.example.com/x.js', ORIGIN)).toBe(false);
    expect(requestAllowed('ws://127.0.0.1:9229/', ORIGIN)).toBe(false);
    expect(requestAllowed('file:///etc/hosts', ORIGIN)).toBe(false);
    expect(requestAllowed('http://127.0.0.1:8686/', null)).toBe(false);
    expect(requestAllowed('data:image/png;base64,AA', ORIGIN)).toBe(true);
    expect(requestAllowed('devtools://devtools/bundled/x.html', ORIGIN)).toBe(true);
  });
});

describe('permissions', () => {
  it('grants clipboard writing to the dashboard only, and nothing else to anyone', () => {
    expect(permissionAllowed('clipboard-sanitized-write', 'http://127.0.0.1:8686/settings', ORIGIN)).toBe(true);
    expect(permissionAllowed('clipboard-sanitized-write', 'https://evil.example/', ORIGIN)).toBe(false);
    for (const p of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen']) {
      expect(permissionAllowed(p, 'http://127.0.0.1:8686/', ORIGIN)).toBe(false);
    }
  });
});

describe('withCsp', () => {
  it('adds the policy where there is none and keeps one the server sent', () => {
    expect(withCsp({ 'content-type': ['text/html'] })['Content-Security-Policy']).toEqual([DASHBOARD_CSP]);
    const own = { 'content-security-policy': ["default-src 'none'"] };
    expect(withCsp(own)).toBe(own);
  });
  it('is a policy without unsafe-eval, inline scripts or remote origins', () => {
    expect(DASHBOARD_CSP).toMatch(/default-src 'self'/);
    expect(DASHBOARD_CSP).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|https?:/);
  });
});

describe('trustedSender', () => {
  const allowed = { appOrigin: ORIGIN, startupPageUrl: 'data:text/html;base64,AAAA' };
  it('trusts the main frame of the dashboard or of the startup page', () => {
    expect(trustedSender('http://127.0.0.1:8686/settings', true, allowed)).toBe(true);
    expect(trustedSender('data:text/html;base64,AAAA', true, allowed)).toBe(true);
  });
  it('refuses subframes, other pages, gone frames and other data: pages', () => {
    expect(trustedSender('http://127.0.0.1:8686/', false, allowed)).toBe(false);
    expect(trustedSender('https://evil.example/', true, allowed)).toBe(false);
    expect(trustedSender(null, true, allowed)).toBe(false);
    expect(trustedSender('data:text/html;base64,BBBB', true, allowed)).toBe(false);
    expect(trustedSender('http://127.0.0.1:8686/', true, { appOrigin: null, startupPageUrl: null })).toBe(false);
  });
});
