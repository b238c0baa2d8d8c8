import { createIsbotFromList, list as isbotList } from 'isbot';
import { CLS, type TrafficClass } from '../db/rows';

/**
 * Who sends a visit, from its user agent (and the tracker's `navigator.webdriver` flag): a
 * person, the user's own automation (headless or driven browsers, HTTP clients and
 * libraries), or a bot (crawlers, monitors, link previewers). Decided once per visit, when
 * it starts; the user agent's built-in class is cached with its parse (enrich.ts).
 *
 * Automation is named here, tool by tool: these are the user testing their own site, and
 * hiding them as bots made a fresh install that received a headless test's page view look
 * empty. Bots are isbot's list, minus its entries for these same tools.
 */
const AUTOMATION_PATTERNS: readonly string[] = [
  // Headless and driven browsers.
  'headless', // HeadlessChrome (Playwright's and Puppeteer's default Chromium), HeadlessShell
  '\\bcypress/',
  'phantomjs',
  'playwright',
  'puppeteer',
  'selenium',
  'webdriver',
  'htmlunit',
  'chrome-lighthouse',
  // HTTP clients and libraries (the agent they send by default).
  '^curl/',
  '^wget/',
  '^httpie/',
  '^xh/',
  '^hurl/',
  '^postmanruntime/',
  '^insomnia/',
  '^bruno',
  '^thunder client',
  '^node$', // Node's fetch (undici) since Node 20
  '^node/',
  '^undici',
  '^node-fetch/',
  '^node-superagent/',
  '^axios/',
  '^got \\(',
  '^ky/',
  '^deno/',
  '^bun/',
  '^python-requests/',
  '^python-httpx/',
  '^python-urllib/',
  '^python/[\\d.]+ aiohttp/',
  '^go-http-client/',
  '^okhttp/',
  '^java/',
  '^apache-httpclient/',
  '^apache-httpasyncclient/',
  '^dart/',
  '^ruby$',
  '^faraday v',
  '^guzzlehttp/',
  '^restsharp/',
  'windowspowershell/',
  '^k6/',
  '^artillery',
  '^apachebench/',
  '^lightmyrequest$', // Fastify's inject, in tests of a site's own server
];

/**
 * isbot's entries that exist to catch the tools above: without them, isbot's list says
 * only which agents are robots. A test checks each is still in isbot's list, so an update
 * of isbot that renames one is noticed.
 */
export const ISBOT_AUTOMATION_ENTRIES: readonly string[] = ['headless', 'cypress/', 'phantomjs', 'playwright', 'selenium', 'chrome-lighthouse', 'node\\b', '^python', '^wget', '^postman', 'java(?!;)', 'url'];

const automationUa = new RegExp(AUTOMATION_PATTERNS.join('|'), 'i');
const isBotUa = createIsbotFromList(isbotList.filter((p) => !ISBOT_AUTOMATION_ENTRIES.includes(p)));

/** The class a user agent alone gives: automation, bot or person. No agent at all is a script's. */
export function userAgentClass(ua: string): TrafficClass {
  if (ua === '' || automationUa.test(ua)) return CLS.automation;
  return isBotUa(ua) ? CLS.bot : CLS.person;
}

/** User-agent patterns the user added in Settings, as checked (case-insensitive). */
export interface TrafficPatterns {
  automation: readonly RegExp[];
  bot: readonly RegExp[];
}

export const NO_PATTERNS: TrafficPatterns = { automation: [], bot: [] };

/**
 * Each pattern as a case-insensitive RegExp; throws naming the first that is not a valid
 * regular expression (`automation[2]: ...`).
 */
export function compilePatterns(p: { automation?: readonly string[]; bot?: readonly string[] }): TrafficPatterns {
  const compile = (name: string, list: readonly string[] = []) =>
    list.map((src, i) => {
      try {
        return new RegExp(src, 'i');
      } catch (err) {
        throw new Error(`${name}[${i}]: "${src}" is not a regular expression (${(err as Error).message})`);
      }
    });
  return { automation: compile('automation', p.automation), bot: compile('bot', p.bot) };
}

/**
 * A visit's class: debug for debug events; then the user's own patterns (bot first, then
 * automation), which win over everything else; then a browser the tracker says is driven
 * (`navigator.webdriver`); then what the agent says (`builtIn`, from userAgentClass).
 */
export function visitClass(debug: boolean, ua: string, builtIn: TrafficClass, webdriver: boolean, patterns: TrafficPatterns): TrafficClass {
  if (debug) return CLS.debug;
  if (patterns.bot.length > 0 && patterns.bot.some((r) => r.test(ua))) return CLS.bot;
  if (patterns.automation.length > 0 && patterns.automation.some((r) => r.test(ua))) return CLS.automation;
  if (webdriver) return CLS.automation;
  return builtIn;
}
