/**
 * Shapes of the admin API, declared once and used by the engine (which builds them) and the
 * dashboard (which reads them). Field names follow Tracardi where Tracardi has the field.
 */

import type { TrafficClassName, TrafficCounts } from './traffic';
import type { ValidationView } from './plan';

export type SessionStatus = 'active' | 'ended';
export type EndReason = 'timeout' | 'logout' | 'api';

/** Every list answers a page and the cursor of the next one (`null` at the end). */
export interface Page<T> {
  items: T[];
  next: string | null;
  /** How many items match in all, when asked with `total=true` (the session and profile lists). */
  total?: number;
  /** With `total=true`: the items that match but for their traffic class, of each class left out. */
  hidden?: TrafficCounts;
  /** The tester's wait (`GET /api/events?wait=…&min=…`) gave up with fewer events than asked for. */
  timedOut?: boolean;
}

export interface SessionView {
  id: string;
  profile: { id: string };
  source: { id: string };
  metadata: {
    status: SessionStatus;
    time: {
      /** Start of the visit (ISO). */
      insert: string;
      /** Last tracked event (ISO). */
      update: string;
      /** End of the visit = its last activity (ISO), once ended. */
      end: string | null;
      /** Seconds from start to last activity (so far, while active). */
      duration: number;
    };
    endReason: EndReason | null;
    debug: boolean;
    bot: boolean;
    /** Who made the visit (shared/traffic.ts), decided when it started. */
    traffic: TrafficClassName;
    /** This visit's number in its profile's visits (0 for debug sessions, which count no visits). */
    visitNumber: number;
    returning: boolean;
    /** The ended visit this one continues, when its tracker kept the same session id. */
    previous: { id: string } | null;
  };
  stats: { events: number; pageViews: number; keyEvents: number };
  device: { type: string; brand: string | null; model: string | null; resolution: string | null };
  os: { name: string | null; version: string | null };
  app: { type: 'browser'; name: string | null; version: string | null; language: string | null; bot: boolean };
  utm: { source: string | null; medium: string | null; campaign: string | null; term: string | null; content: string | null };
  context: {
    channel: string;
    referrer: { host: string | null };
    landingPage: string | null;
    exitPage: string | null;
    time: { tz: string | null };
    [key: string]: unknown;
  };
}

export interface ProfileView {
  id: string;
  metadata: {
    time: {
      insert: string;
      update: string;
      visit: { last: string | null; current: string | null; count: number; tz: string | null };
    };
    debug: boolean;
    /** Made only by bots: it has a bot's visit and no visit of a person. */
    bot: boolean;
  };
  stats: { visits: number; views: number; events: number };
  traits: Record<string, unknown>;
}

export interface EventView {
  id: string;
  type: string;
  session: { id: string };
  profile: { id: string };
  source: { id: string };
  metadata: {
    time: { insert: string };
    debug: boolean;
    /** Its session is a bot's. */
    bot: boolean;
    /** Its session's traffic class. */
    traffic: TrafficClassName;
    /** Made by the engine: visit-started, visit-ended, profile-created. */
    system: boolean;
    /** What the collector changed or left out as it took the event (its type trimmed, ...), as told in the /track answer. */
    warnings: string[];
    /** Its check against the tracking plan in force when it was stored; null without one, and for Footfall's own events. */
    validation: ValidationView | null;
  };
  page: { url: string | null };
  properties: Record<string, unknown>;
  context: Record<string, unknown> | null;
}

/** A `/track` request Footfall refused (`GET /api/rejected`): why, from where, and what it sent. */
export interface RejectedView {
  id: string;
  time: string;
  status: number;
  /** The `detail` of the answer it got. */
  detail: string;
  /** The `source.id` it named, when its body said one. */
  source: { id: string } | null;
  origin: string | null;
  userAgent: string | null;
  /** The body as it came (decoded), cut at 64 KB; null when it was refused before it was read. */
  body: string | null;
  truncated: boolean;
}

/** `GET /api/summary`: everything stored, every traffic class (the tester's first look). */
export interface SummaryView {
  events: { total: number; byType: Record<string, number> };
  /** Refused requests in the rejected log. */
  rejected: number;
  /** Events a tracking plan found invalid, and of types it does not plan (0 without a plan). */
  invalid: number;
  unplanned: number;
  sessions: { active: number; ended: number };
  profiles: number;
}

export interface SourceView {
  id: string;
  name: string;
  enabled: boolean;
  default: boolean;
  metadata: { time: { insert: string } };
}

/** One message of the live stream (`GET /api/live`, Server-Sent Events, `data:` is this JSON). */
export type LiveMessage =
  | { kind: 'event'; event: EventView }
  | { kind: 'session-started'; session: SessionView }
  | { kind: 'session-ended'; session: SessionView }
  /** How many of each kind one send left out (beyond LIVE_LIMITS, or while the client was not reading): reload the active sessions. */
  | { kind: 'skipped'; events: number; sessionsStarted: number; sessionsEnded: number };

/**
 * The most of each kind the live stream sends at once (the newest; commits within 100 ms go
 * together), and what the Live view keeps. A large sweep ends thousands of sessions in a
 * burst of commits; the view shows the last 50 and reloads the active list, instead of
 * parsing a message for each.
 */
export const LIVE_LIMITS = { events: 200, sessionsStarted: 200, sessionsEnded: 50 } as const;

export interface SettingsView {
  sessionTimeout: number;
  sweepInterval: number;
  dataDir: string;
  /** Days of events kept; 0 keeps everything. */
  retentionDays: number;
  keyEventTypes: string[];
  /**
   * User-agent patterns (regular expressions, case-insensitive) that make a visit automation
   * or a bot, over what Footfall knows: applied to visits that start after they are saved.
   */
  trafficPatterns: { automation: string[]; bot: string[] };
  /**
   * Settings given by a flag or environment variable at start: a change here lasts until
   * Footfall restarts, when the flag wins again.
   */
  fromFlags: Array<'sessionTimeout' | 'sweepInterval'>;
}

export interface InfoView {
  version: string;
  collectorUrl: string;
  defaultSource: { id: string; name: string };
  dataDir: string;
}

/** One upstream Footfall forwards to (`GET /api/forwarding`). */
export interface UpstreamView {
  /** Stable id of the URL, for `DELETE /api/forwarding/:id`. */
  id: string;
  /** The URL without credentials. */
  url: string;
  kind: 'clickhouse' | 'track';
  /** `flag`: `--forward` or FOOTFALL_FORWARD (gone when Footfall starts without it); `settings`: added in the dashboard. */
  origin: 'flag' | 'settings';
  /** Events the upstream accepted so far (Footfall's own among them, which a track upstream is not sent). */
  forwarded: number;
  /** Events committed and not yet accepted (beyond 100,000, the newest event's number less the last accepted one's). */
  pending: number;
  /** Why the last try failed, while it is failing; null once a batch went through. */
  lastError: string | null;
  lastOkAt: string | null;
  /** Since when it has been failing (the first failure in a row). */
  failingSince: string | null;
}

export interface ForwardingView {
  upstreams: UpstreamView[];
}
