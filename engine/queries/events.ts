import type { DB } from '../db/database';
import { TRAFFIC_NAME, type TrafficClass } from '../db/rows';
import type { EventView, Page } from '../../shared/api';
import { noTraffic, type TrafficCounts } from '../../shared/traffic';
import { VALIDATION_CODE, type ValidationStatus } from '../../shared/plan';
import { decodeCursor, encodeCursor, keyset } from './cursor';
import type { ListOptions } from './lists';
import { StatementCache } from './statements';
import { eventTraffic, leftOut, type TrafficSet } from './traffic';
import { eventView, type EventJoinRow } from './views';

/** What the event list (the event explorer, the tester's waits, export) filters by. */
export interface EventFilter {
  session?: string;
  profile?: string;
  type?: string;
  from?: number;
  to?: number;
  system?: boolean;
  source?: string;
  /** The page URL contains this (`/checkout`, `shop.test/cart`). */
  page?: string;
  /** Top-level properties equal to these values (`prop.NAME=VALUE`), all of them. */
  props?: ReadonlyArray<readonly [name: string, value: string]>;
  /** The traffic classes counted; every one when absent. */
  traffic?: TrafficSet;
  /** Only events with one of these verdicts against the tracking plan. */
  validation?: readonly ValidationStatus[];
}

const EVENT_SELECT = `SELECT e.*, s.id AS session_id, p.id AS profile_id, v.status AS v_status, v.errors AS v_errors FROM events e
  JOIN sessions s ON s.pk = e.session_pk JOIN profiles p ON p.pk = e.profile_pk LEFT JOIN event_validation v ON v.event_pk = e.pk`;

/**
 * A property's value as text, to compare with what a query string says: `true`, `false`,
 * `null`, numbers as SQLite writes them (12.5), text as it is, objects and arrays as JSON.
 */
const PROP_TEXT = `(CASE json_type(e.properties, ?) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' WHEN 'null' THEN 'null'
  ELSE CAST(json_extract(e.properties, ?) AS TEXT) END) = ?`;

/** The JSON path of a top-level property (names holding `"` are refused before they get here). */
export const propPath = (name: string): string => `$."${name}"`;

type Where = { where: string[]; params: unknown[] };

/** Read queries over events: the lists, counts of what matches, and what a filter hides. */
export class EventQueries {
  private readonly st: StatementCache;
  constructor(db: DB) {
    this.st = new StatementCache(db);
  }

  getEvent(id: string): EventView | null {
    const r = this.st.get(`${EVENT_SELECT} WHERE e.id = ?`).get(id) as EventJoinRow | undefined;
    return r ? eventView(r) : null;
  }

  getEventsByPk(pks: readonly number[]): EventView[] {
    const stmt = this.st.get(`${EVENT_SELECT} WHERE e.pk = ?`);
    return pks.map((pk) => stmt.get(pk) as EventJoinRow | undefined).filter((r) => r !== undefined).map(eventView);
  }

  listEvents(f: EventFilter, o: ListOptions<never>): Page<EventView> {
    const w = this.where(f, f.traffic);
    if (w === null) return { items: [], next: null };
    const order = o.order ?? 'desc';
    keyset('e.pk', order, 'e.pk', o.cursor ? decodeCursor(o.cursor) : null, w.where, w.params);
    const sql = `${EVENT_SELECT} ${whereSql(w)} ORDER BY e.pk ${order} LIMIT ?`;
    const rows = this.st.get(sql).all(...w.params, o.limit + 1) as EventJoinRow[];
    const more = rows.length > o.limit;
    const last = rows[o.limit - 1];
    return { items: rows.slice(0, o.limit).map(eventView), next: more && last ? encodeCursor([last.pk, last.pk]) : null };
  }

  /** How many events match, counting no further than `upTo` (a tester waiting for N of them). */
  countEvents(f: EventFilter, upTo: number): number {
    const w = this.where(f, f.traffic);
    if (w === null) return 0;
    return this.st.get(`SELECT count(*) FROM (SELECT 1 FROM events e ${whereSql(w)} LIMIT ?)`).pluck().get(...w.params, upTo) as number;
  }

  /** The events the filter matches but for their class, of each class it leaves out. */
  hiddenEvents(f: EventFilter): TrafficCounts {
    const hidden = noTraffic();
    const out = f.traffic === undefined ? [] : leftOut(f.traffic);
    if (out.length === 0) return hidden;
    const w = this.where(f, new Set(out));
    if (w === null) return hidden;
    const rows = this.st.get(`SELECT e.traffic AS cls, count(*) AS n FROM events e ${whereSql(w)} GROUP BY e.traffic`).all(...w.params) as Array<{ cls: TrafficClass; n: number }>;
    for (const r of rows) hidden[TRAFFIC_NAME[r.cls]] = r.n;
    return hidden;
  }

  /** The WHERE terms of a filter, values bound; null when it names a session or profile that does not exist. */
  private where(f: EventFilter, traffic: TrafficSet | undefined): Where | null {
    const where: string[] = [];
    const params: unknown[] = [];
    const eq = (col: string, v: unknown) => {
      where.push(`${col} = ?`);
      params.push(v);
    };
    if (f.session !== undefined) {
      const pk = this.st.get('SELECT pk FROM sessions WHERE id = ?').pluck().get(f.session);
      if (pk === undefined) return null;
      eq('e.session_pk', pk);
    }
    if (f.profile !== undefined) {
      const pk = this.st.get('SELECT pk FROM profiles WHERE id = ?').pluck().get(f.profile);
      if (pk === undefined) return null;
      // Its visits' events, and its debug events (which all sit in the one debug session).
      where.push('(e.session_pk IN (SELECT pk FROM sessions WHERE profile_pk = ? AND debug = 0) OR (e.debug = 1 AND e.profile_pk = ?))');
      params.push(pk, pk);
    }
    if (f.type !== undefined) eq('e.type', f.type);
    if (f.source !== undefined) eq('e.source_id', f.source);
    if (f.system !== undefined) eq('e.system', f.system ? 1 : 0);
    if (f.page !== undefined) {
      where.push('instr(e.page_url, ?) > 0');
      params.push(f.page);
    }
    for (const [name, value] of f.props ?? []) {
      where.push(PROP_TEXT);
      params.push(propPath(name), propPath(name), value);
    }
    if (f.from !== undefined) {
      where.push('e.time >= ?');
      params.push(f.from);
    }
    if (f.to !== undefined) {
      where.push('e.time < ?');
      params.push(f.to);
    }
    if (f.validation !== undefined) {
      where.push(`e.pk IN (SELECT event_pk FROM event_validation WHERE ${validationSql(f.validation)})`);
    }
        if (traffic !== undefined) where.push(eventTraffic('e', traffic));
    return { where, params };
  }
}

/**
 * The verdicts as SQL, codes written as literals from a fixed list. Without `valid`, the term
 * the partial index event_validation_flagged names is said too: SQLite uses that index only
 * for a query that repeats its condition.
 */
export function validationSql(statuses: readonly ValidationStatus[]): string {
  const codes = statuses.map((v) => VALIDATION_CODE[v]).join(', ');
  return statuses.includes('valid') ? `status IN (${codes})` : `status <> 0 AND status IN (${codes})`;
}

const whereSql = (w: Where): string => (w.where.length ? `WHERE ${w.where.join(' AND ')}` : '');
