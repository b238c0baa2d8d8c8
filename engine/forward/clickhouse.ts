import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { E, type Outbox, type OutboxEvent, type OutboxSession } from './outbox';
import type { Sink } from './sink';
import { trafficOf } from './traffic';
import type { Upstream } from './upstreams';

/**
 * The two tables, in what ClickHouse 18.16 (Debian's) understands: DateTime in seconds (no
 * DateTime64; the exact milliseconds beside it), no LowCardinality, JSON as String, durations
 * as Decimal (18.16 reads a Float64 from text up to one unit in the last place off). A
 * ReplacingMergeTree ordered by id keeps one row per id after merging (or with FINAL), so an
 * event sent twice counts once; sessions keep the row of the highest `version`, their latest
 * state. Partitioned by month, which ReplacingMergeTree deduplicates within: an event's time
 * and a session's start never change, so the copies of a row share their partition.
 */
export function clickHouseDdl(db: string): string[] {
  return [
    `CREATE DATABASE IF NOT EXISTS ${db}`,
    `CREATE TABLE IF NOT EXISTS ${db}.footfall_events (
  id String,
  type String,
  time DateTime('UTC'),
  time_ms UInt64,
  session_id String,
  profile_id String,
  source_id String,
  traffic String,
  system UInt8,
  page_url String,
  properties String,
  context String
) ENGINE = ReplacingMergeTree() PARTITION BY toYYYYMM(time) ORDER BY id`,
    `CREATE TABLE IF NOT EXISTS ${db}.footfall_sessions (
  id String,
  profile_id String,
  source_id String,
  traffic String,
  status String,
  started DateTime('UTC'),
  ended Nullable(DateTime('UTC')),
  duration Nullable(Decimal(12, 3)),
  end_reason String,
  events UInt32,
  page_views UInt32,
  visit_number UInt32,
  landing_page String,
  exit_page String,
  channel String,
  referrer_host String,
  utm_source String,
  utm_medium String,
  utm_campaign String,
  device String,
  browser String,
  os String,
  started_ms UInt64,
  ended_ms Nullable(UInt64),
  version UInt64
) ENGINE = ReplacingMergeTree(version) PARTITION BY toYYYYMM(started) ORDER BY id`,
  ];
}

/** The engine's own events that say a session started or ended: the session row is written again at each. */
const SESSION_EVENTS = new Set(['visit-started', 'visit-ended']);

export interface ClickHouseRows {
  /** TabSeparated lines, in EVENT_COLUMNS order. */
  events: string;
  sessions: Array<Record<string, unknown>>;
}

const EVENT_COLUMNS = 'id, type, time, time_ms, session_id, profile_id, source_id, traffic, system, page_url, properties, context';

const SPECIAL = /[\t\n\r\\\0]/;
const ESCAPES: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r', '\\': '\\\\', '\0': '\\0' };

/**
 * A field of a TabSeparated line. Events go to ClickHouse as TabSeparated, not JSON: a JSON
 * text (properties, context) goes in as it is stored, where JSONEachRow would escape every
 * quote in it, and the collector's event loop pays for each event forwarded.
 */
function tsv(s: string): string {
  return SPECIAL.test(s) ? s.replace(/[\t\n\r\\\0]/g, (c) => ESCAPES[c]!) : s;
}

function eventLine(e: OutboxEvent): string {
  const time = e[E.time];
  return `${tsv(e[E.id])}\t${tsv(e[E.type])}\t${Math.floor(time / 1000)}\t${time}\t${tsv(e[E.sessionId] ?? '')}\t${tsv(e[E.profileId] ?? '')}\t${tsv(e[E.sourceId])}\t${trafficOf(e[E.traffic])}\t${e[E.system]}\t${tsv(e[E.pageUrl] ?? '')}\t${tsv(e[E.properties])}\t${tsv(e[E.context] ?? '{}')}\n`;
}

function sessionRow(s: OutboxSession): Record<string, unknown> {
  const ended = s.status === 1 ? (s.endedAt ?? s.lastAt) : null;
  return {
    id: s.id,
    profile_id: s.profileId,
    source_id: s.sourceId,
    traffic: trafficOf(s.traffic),
    status: s.status === 1 ? 'ended' : 'active',
    started: Math.floor(s.startedAt / 1000),
    ended: ended === null ? null : Math.floor(ended / 1000),
    duration: s.status === 1 ? s.duration : null,
    end_reason: s.endReason ?? '',
    events: s.events,
    page_views: s.pageViews,
    visit_number: s.visitNumber,
    landing_page: s.landingPage ?? '',
    exit_page: s.exitPage ?? '',
    channel: s.channel,
    referrer_host: s.referrerHost ?? '',
    utm_source: s.utmSource ?? '',
    utm_medium: s.utmMedium ?? '',
    utm_campaign: s.utmCampaign ?? '',
    device: s.device,
    browser: s.browser ?? '',
    os: s.os ?? '',
    started_ms: s.startedAt,
    ended_ms: ended,
    // Later states win: the last activity only grows, and an ended row beats an active one
    // with the same last activity (a visit of one event).
    version: s.lastAt * 2 + (s.status === 1 ? 1 : 0),
  };
}

/** Inserts batches into the two tables over ClickHouse's HTTP interface, creating them first. */
export class ClickHouseSink implements Sink<ClickHouseRows> {
  private readonly client: ClickHouseClient;
  private ready = false;

  constructor(private readonly upstream: Upstream) {
    this.client = createClient({
      url: upstream.endpoint,
      username: upstream.username ?? 'default',
      password: upstream.password ?? '',
      application: 'Footfall',
      request_timeout: 15_000,
      max_open_connections: 2,
      // Failures are the forwarder's to report (once, scrubbed), not the client's to print.
      log: { level: ClickHouseLogLevel.OFF },
    });
  }

  encode(events: readonly OutboxEvent[], outbox: Outbox): ClickHouseRows {
    const sessions = new Set<number>();
    let lines = '';
    for (const e of events) {
      lines += eventLine(e);
      if (e[E.system] === 1 && SESSION_EVENTS.has(e[E.type])) sessions.add(e[E.sessionPk]);
    }
    return { events: lines, sessions: outbox.sessions(sessions).map(sessionRow) };
  }

  async send(parts: readonly ClickHouseRows[], signal: AbortSignal): Promise<void> {
    const db = this.upstream.database;
    try {
      if (!this.ready) {
        for (const query of clickHouseDdl(db)) await this.client.command({ query, abort_signal: signal });
        this.ready = true;
      }
      const events = parts.map((p) => p.events).filter((t) => t !== '');
      const sessions = parts.flatMap((p) => p.sessions);
      if (events.length > 0) {
        const { stream } = await this.client.exec({
          query: `INSERT INTO ${db}.footfall_events (${EVENT_COLUMNS}) FORMAT TabSeparated`,
          values: Readable.from(events),
          abort_signal: signal,
        });
        // The answer is empty; reading it to its end hands the socket back.
        stream.resume();
        await finished(stream);
      }
      if (sessions.length > 0) await this.client.insert({ table: `${db}.footfall_sessions`, values: sessions, format: 'JSONEachRow', abort_signal: signal });
    } catch (err) {
      // The tables may have been dropped meanwhile: make sure of them again on the next try.
      this.ready = false;
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
