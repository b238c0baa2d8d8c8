import { CLS, TRAFFIC_NAME, type EventRow, type ProfileRow, type SessionRow, type SourceRow, type TrafficClass } from '../db/rows';
import type { TrafficClassName } from '../../shared/traffic';
import type { EndReason, EventView, ProfileView, SessionView, SourceView } from '../../shared/api';
import { sessionDuration } from '../../shared/rules';
import { VALIDATION_STATUSES, type ValidationError, type ValidationView } from '../../shared/plan';

export const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/** A stored class code as its name; a code this version does not know reads as a person's. */
const trafficName = (code: number): TrafficClassName => TRAFFIC_NAME[code as TrafficClass] ?? 'person';

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return [];
  }
}

function parseJson(text: string | null): Record<string, unknown> {
  if (text === null || text === '') return {};
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return {};
  }
}

export type SessionJoinRow = SessionRow & { profile_id: string; previous_id: string | null; context: string | null };

export function sessionView(r: SessionJoinRow): SessionView {
  const ctx = parseJson(r.context);
  const device = (ctx.device ?? {}) as { brand?: string | null; model?: string | null; resolution?: string | null };
  const { device: _device, ...rest } = ctx;
  return {
    id: r.id,
    profile: { id: r.profile_id },
    source: { id: r.source_id },
    metadata: {
      status: r.status === 0 ? 'active' : 'ended',
      time: {
        insert: iso(r.started_at),
        update: iso(r.last_at),
        end: isoOrNull(r.ended_at),
        duration: r.duration ?? sessionDuration(r.started_at, r.last_at),
      },
      endReason: (r.end_reason as EndReason | null) ?? null,
      debug: r.debug === 1,
      bot: r.bot === 1,
      traffic: trafficName(r.traffic),
      visitNumber: r.visit_number,
      returning: r.is_returning === 1,
      previous: r.previous_id === null ? null : { id: r.previous_id },
    },
    stats: { events: r.events, pageViews: r.page_views, keyEvents: r.key_events },
    device: { type: r.device, brand: device.brand ?? null, model: device.model ?? null, resolution: device.resolution ?? null },
    os: { name: r.os, version: r.os_version },
    app: { type: 'browser', name: r.browser, version: r.browser_version, language: r.language, bot: r.bot === 1 },
    utm: { source: r.utm_source, medium: r.utm_medium, campaign: r.utm_campaign, term: r.utm_term, content: r.utm_content },
    context: {
      ...rest,
      channel: r.channel,
      referrer: { host: r.referrer_host },
      landingPage: r.landing_page,
      exitPage: r.exit_page,
      time: { tz: r.tz },
    },
  };
}

/** A profile row with its view and event counts, summed over its sessions (see lists.ts). */
export type ProfileJoinRow = ProfileRow & { views: number; events: number; bot_only: number };

export function profileView(r: ProfileJoinRow): ProfileView {
  return {
    id: r.id,
    metadata: {
      time: {
        insert: iso(r.created_at),
        update: iso(r.updated_at),
        visit: { last: isoOrNull(r.visit_last), current: isoOrNull(r.visit_current), count: r.visit_count, tz: r.tz },
      },
      debug: r.debug === 1,
      bot: r.bot_only === 1,
    },
    stats: { visits: r.visit_count, views: r.views, events: r.events },
    traits: parseJson(r.traits),
  };
}

/** An event row with its ids, and its verdict against the tracking plan (event_validation) when it has one. */
export type EventJoinRow = EventRow & { session_id: string; profile_id: string; v_status: number | null; v_errors: string | null };

function validationView(status: number | null, errors: string | null): ValidationView | null {
  if (status === null) return null;
  return { status: VALIDATION_STATUSES[status] ?? 'invalid', errors: errors === null ? [] : (safeJson(errors) as ValidationError[]) };
}

export function eventView(r: EventJoinRow): EventView {
  return {
    id: r.id,
    type: r.type,
    session: { id: r.session_id },
    profile: { id: r.profile_id },
    source: { id: r.source_id },
    metadata: {
      time: { insert: iso(r.time) },
      debug: r.debug === 1,
      bot: r.traffic === CLS.bot,
      traffic: trafficName(r.traffic),
      system: r.system === 1,
      warnings: r.warnings === null ? [] : (safeJson(r.warnings) as string[]),
      validation: validationView(r.v_status, r.v_errors),
    },
    page: { url: r.page_url },
    properties: parseJson(r.properties),
    context: r.context === null ? null : parseJson(r.context),
  };
}

export function sourceView(r: SourceRow): SourceView {
  return { id: r.id, name: r.name, enabled: r.enabled === 1, default: r.is_default === 1, metadata: { time: { insert: iso(r.created_at) } } };
}
