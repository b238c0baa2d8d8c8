import { DomainError } from '../errors';
import { LIMITS } from '../../shared/limits';
import { DEBUG_SESSION_ID } from '../../shared/rules';
import type { TrackPayload, TrackResponse } from '../../shared/track';
import type { CompiledPlan, Verdict } from '../plan/check';
import { asObject, asString, browserContext } from './enrich';

export interface TrackMeta {
  /** The request's User-Agent header (used when the payload's context has none). */
  userAgent: string | null;
  /** When it happened, ms; default the engine's clock at commit (set only by the seeder). */
  at?: number;
  /** What the HTTP layer changed in the request before the engine saw it (a key it dropped). */
  warnings?: readonly string[];
}

/** Longest page URL kept in an event's `page_url` (the event's context keeps it whole). */
export const PAGE_URL_CHARS = 2048;

/** One event of a request, checked and serialised, waiting for its transaction. */
export interface PreparedEvent {
  /** The client's id, or '' until the write gives it one. */
  id: string;
  /** The id came from the client: a retry may send it again. */
  clientId: boolean;
  type: string;
  debug: boolean;
  properties: string;
  context: string | null;
  pageUrl: string | null;
  page: Record<string, unknown> | null;
  /** What the collector changed in this event as it took it (its type trimmed, ...), or null. */
  warnings: string[] | null;
  /** Its check against the tracking plan in force, or null without one. */
  verdict: Verdict | null;
  /** What the answer says about that verdict (not kept with the event: its validation says it), or null. */
  planWarning: string | null;
}

/** One `/track` request waiting in the queue for the next transaction, and how to answer it. */
export interface PreparedRequest {
  sourceId: string;
  sessionId: string | null;
  profileId: string | null;
  context: Record<string, unknown>;
  userAgent: string;
  at: number | null;
  events: PreparedEvent[];
  /**
   * What the answer tells the client beyond its ids, about the request as a whole (a context
   * too large to keep whole): each of its stored events carries these too.
   */
  warnings: string[];
  resolve: (r: TrackResponse) => void;
  reject: (e: unknown) => void;
}

/**
 * Checks a validated payload's events against what one may hold and serialises them, so
 * the transaction only writes; checks each against the tracking plan (`plan`), outside the
 * transaction too. Throws a DomainError naming the first event too large.
 */
export function prepareRequest(
  payload: TrackPayload,
  meta: TrackMeta,
  plan: CompiledPlan | null,
  resolve: PreparedRequest['resolve'],
  reject: PreparedRequest['reject'],
): PreparedRequest {
  const context = payload.context ?? {};
  const userAgent = browserContext(context).userAgent ?? meta.userAgent ?? '';
  // Events sent with the debug session's id are debug events too: that session belongs to
  // the debugger and never holds a visit.
  const payloadDebug = payload.options?.debugger === true || payload.session?.id === DEBUG_SESSION_ID;
  const payloadPage = asObject(context.page);
  const events: PreparedEvent[] = [];
  const list = payload.events ?? [];
  for (let i = 0; i < list.length; i++) {
    const ev = list[i]!;
    const ctx = ev.context ?? null;
    const properties = ev.properties === undefined ? '{}' : JSON.stringify(ev.properties);
    const ctxJson = ctx === null ? null : JSON.stringify(ctx);
    const size = properties.length + (ctxJson?.length ?? 0);
    if (size > LIMITS.eventJsonChars) {
      throw new DomainError('too-large', `events[${i}]: properties and context are ${size} characters of JSON, more than the ${LIMITS.eventJsonChars} allowed.`);
    }
    const page = asObject(ctx?.page) ?? payloadPage;
    // Said, not done silently: a tester comparing what was sent with what is stored sees why.
    let warnings: string[] | null = null;
    const type = ev.type.trim();
    if (type !== ev.type) (warnings ??= []).push(`events[${i}].type: ${JSON.stringify(ev.type)} was stored as ${JSON.stringify(type)} (spaces around it removed).`);
    const url = page?.url;
    if (typeof url === 'string' && url.length > PAGE_URL_CHARS) {
      (warnings ??= []).push(`events[${i}]: the page URL is ${url.length} characters; its first ${PAGE_URL_CHARS} are the event's page (its context keeps it whole).`);
    }
    const verdict = plan === null ? null : plan.check(type, ev.properties ?? {});
    events.push({
      id: ev.id ?? '',
      clientId: ev.id !== undefined,
      type,
      debug: payloadDebug || ev.options?.debugger === true,
      properties,
      context: ctxJson,
      pageUrl: asString(url, PAGE_URL_CHARS),
      page,
      warnings,
      verdict,
      planWarning: verdict === null ? null : plan!.warning(i, type, verdict),
    });
  }
  const warnings = meta.warnings === undefined ? [] : [...meta.warnings];
  if (payload.session?.id === DEBUG_SESSION_ID && payload.options?.debugger !== true) {
    warnings.push(`session.id: "${DEBUG_SESSION_ID}" is the debugger's session; the events were stored as debug events.`);
  }
  return {
    sourceId: payload.source.id,
    sessionId: payload.session?.id ?? null,
    profileId: payload.profile?.id ?? null,
    context,
    userAgent,
    at: meta.at ?? null,
    events,
    warnings,
    resolve,
    reject,
  };
}
