import type { DB } from '../db/database';
import { CLS, type SessionRow, type TrafficClass } from '../db/rows';
import { isEngaged, isPageView } from '../../shared/rules';
import { userAgentClass } from './classify';
import { countEnding } from './ending';
import { asObject, browserContext, pageKeyOf, parseUserAgent } from './enrich';
import { RollupWriter } from './rollups';
import { prepareStatements } from './statements';
import { countVisitStart } from './visits';

/** One-off upgrade steps in JavaScript, each named by a row of `upgrades` that a migration wrote. */
const UPGRADES: Record<string, (db: DB) => void> = {
  'reclassify-automation': reclassifyAutomation,
};

/** Runs the pending upgrade steps (at start, before the engine takes events), each in one transaction. */
export function runUpgrades(db: DB): void {
  const pending = db.prepare('SELECT name FROM upgrades').pluck().all() as string[];
  for (const name of pending) {
    const step = UPGRADES[name];
    db.transaction(() => {
      step?.(db);
      db.prepare('DELETE FROM upgrades WHERE name = ?').run(name);
    })();
  }
}

type Row = SessionRow & { context: string | null };

/**
 * Before traffic classes, headless browsers and HTTP clients were stored as bots, hidden
 * everywhere. Each such visit whose stored user agent says automation becomes automation:
 * its row (class, bot flag, device, the tool's name), its events, and its share of the
 * rollups, taken out of the bots' buckets and counted into automation's, from the row and
 * its events exactly as the engine counted them (visits.ts, ending.ts).
 */
export function reclassifyAutomation(db: DB): number {
  const rows = db
    .prepare(`SELECT s.*, cs.value AS context FROM sessions s LEFT JOIN session_context_refs cr ON cr.session_pk = s.pk LEFT JOIN event_strings cs ON cs.id = cr.context_ref WHERE s.traffic = ${CLS.bot}`)
    .all() as Row[];
  const q = prepareStatements(db);
  const rollups = new RollupWriter(q);
  const events = db.prepare<[number], { time: number; type: string; page_url: string | null }>(
    'SELECT time, type, page_url FROM events WHERE session_pk = ? AND system = 0 ORDER BY pk',
  );
  const update = db.prepare('UPDATE sessions SET traffic = @traffic, bot = 0, device = @device, browser = @browser, browser_version = @browserVersion WHERE pk = @pk');
  const moveEvents = db.prepare('UPDATE event_rows SET traffic = ? WHERE session_pk = ?');
  let moved = 0;
  for (const row of rows) {
    const ctx = asObject(safeJson(row.context)) ?? {};
    const ua = browserContext(ctx).userAgent ?? (typeof ctx.userAgent === 'string' ? ctx.userAgent : '');
    if (userAgentClass(ua) !== CLS.automation) continue;
    const parsed = parseUserAgent(ua);
    const now: Row = { ...row, traffic: CLS.automation, bot: 0, device: parsed.device, browser: parsed.browser ?? row.browser, browser_version: parsed.browser ? parsed.browserVersion : row.browser_version };
    const list = events.all(row.pk);
    count(rollups, row, list, -1);
    count(rollups, now, list, 1);
    update.run({ traffic: now.traffic, device: now.device, browser: now.browser, browserVersion: now.browser_version, pk: row.pk });
    moveEvents.run(CLS.automation, row.pk);
    moved++;
  }
  if (moved > 0) {
    rollups.flush();
    // Buckets the bots no longer have anything in.
    db.prepare(`DELETE FROM agg_dims WHERE cls = ${CLS.bot} AND n = 0`).run();
    db.prepare(`DELETE FROM agg_sessions WHERE cls = ${CLS.bot} AND sessions = 0 AND ended = 0`).run();
  }
  return moved;
}

/** A visit's share of the rollups, from its row and tracked events (`n` 1 adds it, -1 takes it out). */
function count(r: RollupWriter, s: Row, events: ReadonlyArray<{ time: number; type: string; page_url: string | null }>, n: number): void {
  const cls = s.traffic as TrafficClass;
  countVisitStart(r, s.started_at, cls, {
    visitNumber: s.visit_number,
    browser: s.browser,
    os: s.os,
    device: s.device,
    channel: s.channel,
    referrerHost: s.referrer_host,
    utmSource: s.utm_source,
    utmMedium: s.utm_medium,
    utmCampaign: s.utm_campaign,
  }, n);
  let landing = false;
  for (const e of events) {
    r.addDim('event_type', e.time, cls, e.type, n);
    if (!isPageView(e.type) || e.page_url === null) continue;
    const key = pageKeyOf(e.page_url);
    if (!landing) {
      landing = true;
      if (key !== null) r.addDim('landing', s.started_at, cls, key, n);
    }
    if (key !== null) r.addDim('page', e.time, cls, key, n);
  }
  if (s.status === 1 && s.duration !== null) {
    countEnding(r, s.started_at, cls, s.duration, isEngaged(s.page_views, s.duration, s.key_events), s.page_views, pageKeyOf(s.exit_page), n);
  }
}

function safeJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
