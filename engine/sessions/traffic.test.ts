import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestFootfall, type TestFootfall } from '../testing';

/**
 * Traffic classes (person / automation / bot / debug), decided once at a visit's start from
 * the user agent (the context's, else the request's) and the tracker's `webdriver` flag.
 * Real agents of each class, as the tools send them.
 */
const AGENTS: Array<[cls: 'person' | 'automation' | 'bot', ua: string]> = [
  ['person', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36'],
  ['person', 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0'],
  ['person', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1'],
  ['person', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0'],
  ['person', 'Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36'],
  // Headless and driven browsers: Playwright's and Puppeteer's Chromium, Cypress, PhantomJS, Lighthouse.
  ['automation', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.33 Safari/537.36'],
  ['automation', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Cypress/13.6.0 Chrome/118.0.5993.159 Electron/27.1.3 Safari/537.36'],
  ['automation', 'Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1'],
  ['automation', 'Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse'],
  // HTTP clients and libraries.
  ['automation', 'curl/8.5.0'],
  ['automation', 'Wget/1.21.4'],
  ['automation', 'HTTPie/3.2.2'],
  ['automation', 'PostmanRuntime/7.36.0'],
  ['automation', 'insomnia/8.4.5'],
  ['automation', 'bruno-runtime/1.6.0'],
  ['automation', 'node'],
  ['automation', 'undici'],
  ['automation', 'axios/1.7.2'],
  ['automation', 'node-fetch/1.0 (+https://github.com/bitinn/node-fetch)'],
  ['automation', 'got (https://github.com/sindresorhus/got)'],
  ['automation', 'python-requests/2.32.3'],
  ['automation', 'python-httpx/0.27.0'],
  ['automation', 'Python-urllib/3.12'],
  ['automation', 'Python/3.12 aiohttp/3.9.5'],
  ['automation', 'Go-http-client/1.1'],
  ['automation', 'okhttp/4.12.0'],
  ['automation', 'Java/17.0.2'],
  ['automation', 'Apache-HttpClient/4.5.14 (Java/17.0.8)'],
  ['automation', 'GuzzleHttp/7'],
  ['automation', 'Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.19041.1'],
  ['automation', 'k6/0.49.0 (https://k6.io/)'],
  // Crawlers, monitors, link previewers.
  ['bot', 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'],
  ['bot', 'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.126 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'],
  ['bot', 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)'],
  ['bot', 'Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)'],
  ['bot', 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)'],
  ['bot', 'Twitterbot/1.0'],
  ['bot', 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)'],
  ['bot', 'Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)'],
  ['bot', 'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)'],
  ['bot', 'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)'],
  ['bot', 'Scrapy/2.11.0 (+https://scrapy.org)'],
];

let t: TestFootfall;
beforeEach(async () => {
  t = await startTestFootfall();
});
afterEach(async () => {
  await t.close();
});

const visit = (session: string, context: Record<string, unknown>, headers: Record<string, string> = {}, events: unknown[] = [{ type: 'page-view', context: { page: { url: 'https://shop.test/' } } }]) =>
  t.track({ source: { id: t.source }, session: { id: session }, profile: null, context, events }, headers);

describe('traffic classes', () => {
  it.each(AGENTS)('%s: %s', async (cls, ua) => {
    expect((await visit('S', { browser: { userAgent: ua } })).status).toBe(200);
    const s = (await t.api('GET', '/api/sessions/S')).body;
    expect(s.metadata.traffic).toBe(cls);
    expect(s.metadata.bot).toBe(cls === 'bot');
    expect(s.app.bot).toBe(cls === 'bot');
    const [e] = (await t.api('GET', '/api/events?session=S&system=false')).body.items;
    expect(e.metadata.traffic).toBe(cls);
    // Shown by default unless a crawler's.
    const listed = (await t.api('GET', '/api/sessions')).body.items.map((x: { id: string }) => x.id);
    expect(listed.includes('S')).toBe(cls !== 'bot');
  });

  it("the request's User-Agent counts when the context has none (Node's fetch, curl)", async () => {
    await visit('N', {}, { 'user-agent': 'node' });
    await visit('C', {}, { 'user-agent': 'curl/8.5.0' });
    expect((await t.api('GET', '/api/sessions/N')).body.metadata.traffic).toBe('automation');
    expect((await t.api('GET', '/api/sessions/C')).body).toMatchObject({ metadata: { traffic: 'automation', bot: false }, app: { name: 'curl' } });
  });

  it("a browser the tracker says is driven (navigator.webdriver) is automation, whatever its agent says", async () => {
    const chrome = AGENTS[0]![1];
    await visit('W', { browser: { userAgent: chrome, webdriver: true } });
    await visit('P', { browser: { userAgent: chrome, webdriver: false } });
    expect((await t.api('GET', '/api/sessions/W')).body.metadata.traffic).toBe('automation');
    expect((await t.api('GET', '/api/sessions/P')).body.metadata.traffic).toBe('person');
  });

  it('debug events are debug, whatever the agent', async () => {
    await t.track({ source: { id: t.source }, options: { debugger: true }, context: { browser: { userAgent: 'curl/8.5.0' } }, events: [{ type: 'ping' }] });
    expect((await t.api('GET', '/api/sessions/@debug-session')).body.metadata.traffic).toBe('debug');
  });

  it('a fresh install that received one headless page view and a purchase shows them by default, with nothing hidden', async () => {
    const ua = AGENTS.find(([c, u]) => c === 'automation' && u.includes('HeadlessChrome'))![1];
    await visit('H', { browser: { userAgent: ua } }, {}, [
      { type: 'page-view', context: { page: { url: 'https://shop.test/' } } },
      { type: 'purchase', properties: { total: 12.5 } },
    ]);
    const o = (await t.api('GET', '/api/stats/overview')).body;
    expect(o.kpis.sessions.value).toBe(1);
    expect(o.kpis.visitors.value).toBe(1);
    expect(o.kpis.events.value).toBe(2);
    expect(o.kpis.pageViews.value).toBe(1);
    expect(o.hidden).toEqual({ person: 0, automation: 0, bot: 0, debug: 0 });
    expect((await t.api('GET', '/api/sessions')).body.items.map((s: { id: string }) => s.id)).toEqual(['H']);
    expect((await t.api('GET', '/api/profiles')).body.items).toHaveLength(1);
    const types = (await t.api('GET', '/api/stats/breakdown?dim=event_type')).body.items.map((i: { value: string }) => i.value).sort();
    expect(types).toEqual(['page-view', 'purchase']);
  });
});

describe('the lists of agents', () => {
  it("takes out of isbot's list only entries it has (an isbot update that renames one is noticed here)", async () => {
    const { list } = await import('isbot');
    const { ISBOT_AUTOMATION_ENTRIES } = await import('./classify');
    for (const entry of ISBOT_AUTOMATION_ENTRIES) expect(list, entry).toContain(entry);
  });

  it('user-agent patterns from Settings win, for visits that start after they are saved', async () => {
    await visit('before', { browser: { userAgent: 'AcmeMonitor/2.0 (ping)' } });
    const saved = await t.api('PATCH', '/api/settings', { trafficPatterns: { automation: ['^AcmeMonitor/'], bot: ['Googlebot|HeadlessChrome/1\\.'] } });
    expect(saved.status).toBe(200);
    expect(saved.body.trafficPatterns).toEqual({ automation: ['^AcmeMonitor/'], bot: ['Googlebot|HeadlessChrome/1\\.'] });
    await visit('after', { browser: { userAgent: 'AcmeMonitor/2.0 (ping)' } });
    await visit('old-headless', { browser: { userAgent: 'Mozilla/5.0 HeadlessChrome/1.0 Safari/537.36' } });
    const cls = async (id: string) => (await t.api('GET', `/api/sessions/${id}`)).body.metadata.traffic;
    expect(await cls('before')).toBe('bot'); // the visit keeps the class it started with
    expect(await cls('after')).toBe('automation');
    expect(await cls('old-headless')).toBe('bot');
    const bad = await t.api('PATCH', '/api/settings', { trafficPatterns: { automation: ['('], bot: [] } });
    expect(bad.status).toBe(422);
    expect(bad.body.detail).toMatch(/trafficPatterns\.automation\[0\]: is not a valid regular expression/);
  });
});
