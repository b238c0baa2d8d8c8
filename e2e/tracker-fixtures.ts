// Shared by the tracker and demo end-to-end tests: the admin API, a visitor's browser, and
// waiting for what the tracker sends.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, type Browser, type BrowserContext, type Page, type Response } from '@playwright/test';
import type { EventView, Page as ListPage, ProfileView, SessionView } from '../shared/api';
import type { ServerHandle } from './server';

/**
 * A desktop Chrome's user agent, to see it reported (headless Chromium says "HeadlessChrome").
 * Its visits are automation all the same: the tracker reports navigator.webdriver.
 */
export const VISITOR_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/** A visitor's browser: a real browser's agent, a language and a time zone to see reported. */
export function visitor(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ userAgent: VISITOR_UA, locale: 'pl-PL', timezoneId: 'Europe/Warsaw', viewport: { width: 1280, height: 720 } });
}

/** GET on the admin API with the server's token; fails the test on a non-200 answer. */
export async function api<T>(server: ServerHandle, path: string): Promise<T> {
  const r = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${server.token}` } });
  if (r.status !== 200) throw new Error(`GET ${path} answered ${r.status}: ${await r.text()}`);
  return (await r.json()) as T;
}

export const sessions = async (server: ServerHandle): Promise<SessionView[]> => (await api<ListPage<SessionView>>(server, '/api/sessions?limit=100')).items;
export const profiles = async (server: ServerHandle): Promise<ProfileView[]> => (await api<ListPage<ProfileView>>(server, '/api/profiles?limit=100')).items;

/** Every event of a session, in the order they were stored. */
export async function eventsOf(server: ServerHandle, sessionId: string): Promise<EventView[]> {
  return (await api<ListPage<EventView>>(server, `/api/events?session=${encodeURIComponent(sessionId)}&limit=500&order=asc`)).items;
}

export const isTrack = (r: Response): boolean => r.request().method() === 'POST' && new URL(r.url()).pathname === '/track';

/** Runs `action` and waits for the answer to the /track request carrying an event of `type` it causes. */
export async function tracked(page: Page, action: () => Promise<unknown>, type = 'page-view'): Promise<Response> {
  const carries = (r: Response) => isTrack(r) && (r.request().postData() ?? '').includes(`"type":${JSON.stringify(type)}`);
  const [answer] = await Promise.all([page.waitForResponse(carries), action()]);
  expect(answer.status(), `POST /track answered ${answer.status()}`).toBe(200);
  return answer;
}

/** Page errors and console errors a page shows: the tracker must cause none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}

/** The page views of a session's events, as URLs, in order. */
export const pageViews = (events: EventView[]): Array<string | null> => events.filter((e) => e.type === 'page-view').map((e) => e.page.url);

/**
 * A test site of made-up pages on its own port, reached as `localhost` (another origin and
 * site than the collector on 127.0.0.1). A real server, not Playwright's routing: Chromium
 * lets only pages it loaded from this machine reach a collector on 127.0.0.1 (Local Network
 * Access); a routed page counts as public and is refused.
 */
export interface TestSite {
  url: string;
  page(path: string, html: string): void;
  close(): Promise<void>;
}

export async function startTestSite(): Promise<TestSite> {
  const pages = new Map<string, string>();
  const server = createServer((req, res) => {
    const html = pages.get(new URL(req.url ?? '/', 'http://x').pathname);
    res.writeHead(html === undefined ? 404 : 200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    page: (path, html) => void pages.set(path, html),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
