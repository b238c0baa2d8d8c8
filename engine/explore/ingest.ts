import type { Statement } from 'better-sqlite3';
import type { DB } from '../db/database';
import type { ExploreData, SessionRecord } from './data';
import { pageKey, parseUrl } from '../../shared/rules';

/**
 * Reads sessions and events from their tables into ExploreData: what explore does for rows
 * no segment holds yet (new ones, or a range a deletion made stale). Never on the
 * collector's path: it runs when an explore query or an idle moment asks for it.
 */

// `traffic`: the stored class (CLS), the one place explore reads it.
const SESSION_COLS = `pk, profile_pk, status, traffic, bot, started_at, last_at, duration, events, page_views, key_events, visit_number,
  source_id, device, browser, os, channel, referrer_host, utm_source, utm_medium, utm_campaign, landing_page, exit_page`;

type SessionRaw = [
  pk: number, profilePk: number, status: number, traffic: number, bot: number, startedAt: number, lastAt: number, duration: number | null,
  events: number, pageViews: number, keyEvents: number, visitNumber: number,
  source: string, device: string, browser: string | null, os: string | null, channel: string, referrer: string | null,
  utmSource: string | null, utmMedium: string | null, utmCampaign: string | null, landing: string | null, exit: string | null,
];

type EventRaw = [pk: number, sessionPk: number, time: number, type: string, pageUrl: string | null, properties: string, system: number];


const PAGE_KEYS_MAX = 10_000;

/** Active sessions read at once while refreshing them. */
const ACTIVE_BATCH = 1024;

export class Ingest {
  private readonly q: {
    sessionsAfter: Statement;
    sessionsIn: Statement;
    sessionByPk: Statement;
    activeSessions: Statement;
    eventsAfter: Statement;
    eventsIn: Statement;
  };
  private readonly pageKeys = new Map<string, string | null>();

  constructor(db: DB) {
    this.q = {
      sessionsAfter: db.prepare(`SELECT ${SESSION_COLS} FROM sessions WHERE pk > ? ORDER BY pk LIMIT ?`).raw(),
      sessionsIn: db.prepare(`SELECT ${SESSION_COLS} FROM sessions WHERE pk > ? AND pk <= ? ORDER BY pk LIMIT ?`).raw(),
      sessionByPk: db.prepare(`SELECT ${SESSION_COLS} FROM sessions WHERE pk = ?`).raw(),
      activeSessions: db.prepare(`SELECT ${SESSION_COLS} FROM sessions INDEXED BY sessions_active WHERE status = 0 AND (started_at, pk) > (?, ?) ORDER BY started_at, pk LIMIT ?`).raw(),
      eventsAfter: db.prepare('SELECT pk, session_pk, time, type, page_url, properties, system FROM events WHERE pk > ? ORDER BY pk LIMIT ?').raw(),
      eventsIn: db.prepare('SELECT pk, session_pk, time, type, page_url, properties, system FROM events WHERE pk > ? AND pk <= ? ORDER BY pk LIMIT ?').raw(),
    };
  }

  /** The page key (host/path) of a URL, cached: a site has a few hundred pages. */
  pageKeyOf(url: string | null): string | null {
    if (url === null) return null;
    let key = this.pageKeys.get(url);
    if (key === undefined) {
      key = pageKey(parseUrl(url), url);
      if (this.pageKeys.size >= PAGE_KEYS_MAX) this.pageKeys.clear();
      this.pageKeys.set(url, key);
    }
    return key;
  }

  private record(r: SessionRaw): SessionRecord {
    return {
      pk: r[0],
      profilePk: r[1],
      status: r[2],
      cls: r[3],
      startedAt: r[5],
      lastAt: r[6],
      duration: r[7],
      events: r[8],
      pageViews: r[9],
      keyEvents: r[10],
      visitNumber: r[11],
      // Unknown browser and OS are labelled as the rollups label them.
      dims: [r[12], r[13], r[14] ?? 'Unknown', r[15] ?? 'Unknown', r[16], r[17], r[18], r[19], r[20], this.pageKeyOf(r[21]), this.pageKeyOf(r[22])],
    };
  }

  /** Sessions with pk > `after`, up to `limit`; returns how many and the last pk read. */
  sessionsAfter(data: ExploreData, after: number, limit: number): { rows: number; lastPk: number } {
    const rows = this.q.sessionsAfter.all(after, limit) as SessionRaw[];
    for (const r of rows) data.putSession(this.record(r));
    return { rows: rows.length, lastPk: rows.length > 0 ? rows[rows.length - 1]![0] : after };
  }

  /** Sessions with pk in (lo, hi], up to `limit`; returns how many and the last pk read. */
  sessionsIn(data: ExploreData, lo: number, hi: number, limit: number): { rows: number; lastPk: number } {
    const rows = this.q.sessionsIn.all(lo, hi, limit) as SessionRaw[];
    for (const r of rows) data.putSession(this.record(r));
    return { rows: rows.length, lastPk: rows.length > 0 ? rows[rows.length - 1]![0] : hi };
  }

  /**
   * Brings the sessions held as active up to date: the ones still active in one read of
   * their partial index, the ones that ended since (or went) one by one, giving the event
   * loop back through `slice` (the store's: it pauses once a stretch started at `t0` has used
   * its time, and returns when the current stretch started); a sweep that ended 100,000 of
   * them would otherwise hold the collector for most of a second.
   */
  async refreshActive(data: ExploreData, slice: (t0: number) => Promise<number>): Promise<void> {
    if (data.active.size === 0) return;
    const before = new Set(data.active);
    let t0 = performance.now();
    // Read along the partial index a batch at a time (started_at, pk), not all at once.
    let at: [number, number] = [-Infinity, 0];
    for (;;) {
      const rows = this.q.activeSessions.all(at[0], at[1], ACTIVE_BATCH) as SessionRaw[];
      for (const r of rows) {
        const slot = data.slotOf.get(r[0]);
        before.delete(slot);
        if (slot >= 0) data.putSession(this.record(r));
      }
      if (rows.length < ACTIVE_BATCH) break;
      const last = rows[rows.length - 1]!;
      at = [last[5], last[0]];
      t0 = await slice(t0);
    }
    for (const slot of before) {
      const r = this.q.sessionByPk.get(data.pk[slot]!) as SessionRaw | undefined;
      if (r !== undefined) data.putSession(this.record(r));
      else data.active.delete(slot); // deleted: the store reloads once it sees the deletion
      t0 = await slice(t0);
    }
  }

  /** Events with pk > `after`, up to `limit` rows (system events read and skipped). */
  eventsAfter(data: ExploreData, after: number, limit: number): { rows: number; lastPk: number } {
    const rows = this.q.eventsAfter.all(after, limit) as EventRaw[];
    this.addEvents(data, rows);
    return { rows: rows.length, lastPk: rows.length > 0 ? rows[rows.length - 1]![0] : after };
  }

  /** Events with pk in (lo, hi], up to `limit` rows; returns how many and the last pk read. */
  eventsIn(data: ExploreData, lo: number, hi: number, limit: number): { rows: number; lastPk: number } {
    const rows = this.q.eventsIn.all(lo, hi, limit) as EventRaw[];
    this.addEvents(data, rows);
    return { rows: rows.length, lastPk: rows.length > 0 ? rows[rows.length - 1]![0] : hi };
  }

  private addEvents(data: ExploreData, rows: EventRaw[]): void {
    for (const [, sessionPk, time, type, pageUrl, properties, system] of rows) {
      if (system === 1) continue;
      let slot = data.slotOf.get(sessionPk);
      if (slot < 0) {
        const r = this.q.sessionByPk.get(sessionPk) as SessionRaw | undefined;
        if (r === undefined) continue;
        slot = data.putSession(this.record(r));
      }
      data.addEvent(slot, time, type, this.pageKeyOf(pageUrl), scalarProps(properties));
    }
  }
}

const NONE: ReadonlyArray<readonly [string, string]> = [];

/** An event's top-level properties that are strings, numbers or booleans, as [name, tagged value]. */
export function scalarProps(json: string): ReadonlyArray<readonly [string, string]> {
  if (json === '{}') return NONE;
  let obj: unknown;
  try {
    obj = JSON.parse(json);
  } catch {
    return NONE;
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return NONE;
  const out: Array<readonly [string, string]> = [];
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === 'string') out.push([k, `s${v.slice(0, 512)}`]);
    else if (typeof v === 'number' && Number.isFinite(v)) out.push([k, `n${v}`]);
    else if (typeof v === 'boolean') out.push([k, `b${v}`]);
  }
  return out;
}
