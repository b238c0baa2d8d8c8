import { DomainError } from '../errors';
import { LIMITS } from '../../shared/limits';
import { DEBUG_SESSION_ID } from '../../shared/rules';
import type { TrackPayload, TrackResponse } from '../../shared/track';
import { asObject, asString, browserContext } from './enrich';

export interface TrackMeta {
  /** The request's User-Agent header (used when the payload's context has none). */
  userAgent: string | null;
  /** When it happened, ms; default the engine's clock at commit (set only by the seeder). */
  at?: number;
}

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
  /** What the answer tells the client beyond its ids (a context too large to keep whole). */
  warnings: string[];
  resolve: (r: TrackResponse) => void;
  reject: (e: unknown) => void;
}

/**
 * Checks a validated payload's events against what one may hold and serialises them, so
 * the transaction only writes. Throws a DomainError naming the first event too large.
 */
export function prepareRequest(
  payload: TrackPayload,
  meta: TrackMeta,
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
    events.push({
      id: ev.id ?? '',
      clientId: ev.id !== undefined,
      type: ev.type,
      debug: payloadDebug || ev.options?.debugger === true,
      properties,
      context: ctxJson,
      pageUrl: asString(page?.url, 2048),
      page,
    });
  }
  return {
    sourceId: payload.source.id,
    sessionId: payload.session?.id ?? null,
    profileId: payload.profile?.id ?? null,
    context,
    userAgent,
    at: meta.at ?? null,
    events,
    warnings: [],
    resolve,
    reject,
  };
}
