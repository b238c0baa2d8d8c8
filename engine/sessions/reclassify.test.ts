import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../clock';
import { openDatabase } from '../db/database';
import { MIGRATIONS } from '../db/migrations';
import { startTestFootfall, type TestFootfall } from '../testing';
import { reclassifyAutomation } from './reclassify';

/**
 * Upgrading a database from before traffic classes: headless browsers and HTTP clients were
 * stored as bots. Their visits become automation, rollups and all.
 */

const HEADLESS = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.33 Safari/537.36';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

const dirs: string[] = [];
const open: TestFootfall[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The same traffic, the same clock, on a fresh Footfall; `headlessIsBot` writes HeadlessChrome as the old engine did. */
async function history(headlessIsBot: boolean): Promise<TestFootfall> {
  const t = await startTestFootfall({ sessionTimeout: 60, clock: new FakeClock(Date.UTC(2026, 0, 15, 9, 30)) });
  open.push(t);
  if (headlessIsBot) await t.api('PATCH', '/api/settings', { trafficPatterns: { automation: [], bot: ['HeadlessChrome', '^curl/'] } });
  const visit = async (session: string, profile: string, ua: string, pages: string[], extra: object[] = []) => {
    const events = [...pages.map((url) => ({ type: 'page-view', context: { page: { url, referer: { host: 'duckduckgo.com' } } } })), ...extra];
    await t.track({ source: { id: t.source }, session: { id: session }, profile: { id: profile }, context: { browser: { userAgent: ua }, utm: { campaign: 'ci' } }, events });
  };
  await visit('h1', 'p-h', HEADLESS, ['https://shop.test/', 'https://shop.test/cart'], [{ type: 'purchase' }]);
  await visit('b1', 'p-b', GOOGLEBOT, ['https://shop.test/']);
  await visit('c1', 'p-c', CHROME, ['https://shop.test/products']);
  t.clock.advance(2 * 3600_000);
  await t.sweep(); // all three end
  await visit('h1', 'p-h', HEADLESS, ['https://shop.test/about']); // h1~2, still active
  await t.track({ source: { id: t.source }, session: { id: 'k1' }, profile: null, events: [{ type: 'ping' }] }, { 'user-agent': 'curl/8.5.0' });
  return t;
}

const rollups = (t: TestFootfall) => ({
  dims: t.ff.db.prepare('SELECT dim, g, t, cls, value, n FROM agg_dims WHERE n != 0 ORDER BY dim, g, t, cls, value').all(),
  sessions: t.ff.db.prepare('SELECT * FROM agg_sessions ORDER BY g, t, cls').all(),
});
const sessionRows = (t: TestFootfall) => t.ff.db.prepare('SELECT id, traffic, bot, device, browser, browser_version, status FROM sessions ORDER BY id').all();
const eventClasses = (t: TestFootfall) => t.ff.db.prepare('SELECT s.id, e.type, e.traffic FROM events e JOIN sessions s ON s.pk = e.session_pk ORDER BY e.pk').all();

describe('reclassifying old bots as automation', () => {
  it('moves their rows, events and rollups to automation, exactly as if they had been classed so when they came', async () => {
    const old = await history(true);
    const now = await history(false);
    expect(sessionRows(old)).not.toEqual(sessionRows(now));
    const moved = old.ff.db.transaction(() => reclassifyAutomation(old.ff.db))();
    expect(moved).toBe(3); // h1, h1~2, k1; the Googlebot stays
    expect(sessionRows(old)).toEqual(sessionRows(now));
    expect(eventClasses(old)).toEqual(eventClasses(now));
    expect(rollups(old)).toEqual(rollups(now));
    // Nothing left in the bots' buckets but the Googlebot's.
    expect(old.ff.db.prepare("SELECT count(*) FROM agg_dims WHERE cls = 1 AND n = 0").pluck().get()).toBe(0);
  });

  it('runs once, from migration 009, on a database written before it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'footfall-upgrade-'));
    dirs.push(dir);
    const before = openDatabase(dir, { migrations: MIGRATIONS.filter((m) => m.version < 9) });
    const t0 = Date.UTC(2026, 0, 10, 12);
    before.exec(`
      INSERT INTO sources (id, name, enabled, is_default, created_at) VALUES ('src', 'Default', 1, 1, ${t0});
      INSERT INTO profiles (pk, id, created_at, updated_at, visit_count) VALUES (1, 'p1', ${t0}, ${t0}, 1), (2, 'p2', ${t0}, ${t0}, 1), (3, 'p3', ${t0}, ${t0}, 1);
      INSERT INTO sessions (pk, id, client_id, profile_pk, source_id, status, debug, bot, started_at, last_at, ended_at, duration, events, page_views, visit_number, device, browser)
        VALUES (1, 'headless', 'headless', 1, 'src', 1, 0, 1, ${t0}, ${t0}, ${t0}, 0, 1, 1, 1, 'bot', 'Chrome Headless'),
               (2, 'crawler', 'crawler', 2, 'src', 1, 0, 1, ${t0}, ${t0}, ${t0}, 0, 1, 1, 1, 'bot', NULL),
               (3, '@debug-session', '@debug-session', 3, 'src', 0, 1, 0, ${t0}, ${t0}, NULL, NULL, 1, 0, 0, 'desktop', NULL);
      INSERT INTO session_context (session_pk, context) VALUES (1, '${JSON.stringify({ browser: { userAgent: HEADLESS } })}'),
        (2, '${JSON.stringify({ browser: { userAgent: GOOGLEBOT } })}'), (3, '{}');
      INSERT INTO events (id, type, time, session_pk, profile_pk, source_id, debug, system, page_url)
        VALUES ('e1', 'page-view', ${t0}, 1, 1, 'src', 0, 0, 'https://shop.test/'), ('e2', 'page-view', ${t0}, 2, 2, 'src', 0, 0, 'https://shop.test/'),
               ('e3', 'ping', ${t0}, 3, 3, 'src', 1, 0, NULL);
      INSERT INTO agg_sessions (g, t, cls, sessions, new_profiles, ended, engaged, duration_sum, page_views) VALUES (0, ${t0 / 3600_000}, 1, 2, 2, 2, 0, 0, 2);
      INSERT INTO agg_dims (dim, g, t, cls, value, n) VALUES ('device', 0, ${t0 / 3600_000}, 1, 'bot', 2), ('event_type', 0, ${t0 / 3600_000}, 1, 'page-view', 2);
    `);
    before.close();

    const t = await startTestFootfall({ dir, clock: new FakeClock(t0 + 60_000) });
    open.push(t);
    expect(t.ff.db.prepare('SELECT count(*) FROM upgrades').pluck().get()).toBe(0);
    expect(t.ff.db.prepare('SELECT id, traffic, bot, device FROM sessions ORDER BY pk').all()).toEqual([
      { id: 'headless', traffic: 3, bot: 0, device: 'desktop' },
      { id: 'crawler', traffic: 1, bot: 1, device: 'bot' },
      { id: '@debug-session', traffic: 2, bot: 0, device: 'desktop' },
    ]);
    expect(t.ff.db.prepare('SELECT id, traffic FROM events ORDER BY pk').all()).toEqual([
      { id: 'e1', traffic: 3 },
      { id: 'e2', traffic: 1 },
      { id: 'e3', traffic: 2 },
    ]);
    const hour = t0 / 3600_000;
    expect(t.ff.db.prepare("SELECT cls, value, n FROM agg_dims WHERE dim = 'device' AND g = 0 AND t = ? ORDER BY cls").all(hour)).toEqual([
      { cls: 1, value: 'bot', n: 1 },
      { cls: 3, value: 'desktop', n: 1 },
    ]);
    expect(t.ff.db.prepare('SELECT cls, sessions, ended FROM agg_sessions WHERE g = 0 AND t = ? ORDER BY cls').all(hour)).toEqual([
      { cls: 1, sessions: 1, ended: 1 },
      { cls: 3, sessions: 1, ended: 1 },
    ]);
    const listed = (await t.api('GET', `/api/sessions?from=${t0 - 1}`)).body.items.map((s: { id: string; metadata: { traffic: string } }) => [s.id, s.metadata.traffic]);
    expect(listed).toEqual([['headless', 'automation']]);
  });
});
