import { E, type Outbox, type OutboxEvent } from './outbox';
import type { Sink } from './sink';
import type { Upstream } from './upstreams';

/** One `/track` request of a replay: the events of one visit, in order. */
export interface ReplayRequest {
  profileId: string;
  userAgent: string | null;
  body: string;
}

/** Most events in one replayed request, and about the most bytes (the collector takes 1 MB and 1,000 events). */
const MAX_EVENTS = 100;
const MAX_BYTES = 512 * 1024;
/** Requests in flight at once, each for another profile (a profile's visits go in order). */
const LANES = 4;

function userAgentOf(context: Record<string, unknown>): string | null {
  const browser = context.browser;
  const ua = browser !== null && typeof browser === 'object' ? (browser as Record<string, unknown>).userAgent : undefined;
  const v = typeof ua === 'string' ? ua : context.userAgent;
  return typeof v === 'string' && v !== '' ? v : null;
}

/**
 * Replays events to a Tracardi-compatible `/track` (Tracardi, or another Footfall), each with
 * its own id, session and profile ids, type, properties, context and original time
 * (`time.insert`), the session's stored context beside them and its browser's User-Agent.
 * Footfall's own events (visit-started, visit-ended, profile-created) are not replayed: the
 * upstream makes its own from the events it is sent. A re-sent event is stored once there,
 * by its id.
 */
export class TrackSink implements Sink<ReplayRequest[]> {
  private readonly auth: string | null;

  constructor(private readonly upstream: Upstream) {
    this.auth = upstream.username !== null || upstream.password !== null
      ? `Basic ${Buffer.from(`${upstream.username ?? ''}:${upstream.password ?? ''}`).toString('base64')}`
      : null;
  }

  encode(events: readonly OutboxEvent[], outbox: Outbox): ReplayRequest[] {
    const out: ReplayRequest[] = [];
    const contexts = new Map<number, { json: string; userAgent: string | null }>();
    let group: { key: string; head: string; req: ReplayRequest; events: string[]; bytes: number } | null = null;
    const close = () => {
      if (group === null) return;
      group.req.body = `${group.head}"events":[${group.events.join(',')}]}`;
      out.push(group.req);
      group = null;
    };
    for (const e of events) {
      const sessionPk = e[E.sessionPk];
      const sessionId = e[E.sessionId];
      const profileId = e[E.profileId];
      if (e[E.system] === 1 || sessionId === null || profileId === null) continue;
      const debug = e[E.debug] === 1;
      const key = `${sessionPk}\u0000${debug}`;
      const context = e[E.context];
      const ev = `{"id":${JSON.stringify(e[E.id])},"type":${JSON.stringify(e[E.type])},"time":{"insert":"${new Date(e[E.time]).toISOString()}"},"properties":${e[E.properties]}${context === null ? '' : `,"context":${context}`}${debug ? ',"options":{"debugger":true}' : ''}}`;
      if (group !== null && (group.key !== key || group.events.length >= MAX_EVENTS || group.bytes + ev.length > MAX_BYTES)) close();
      if (group === null) {
        let ctx = contexts.get(sessionPk);
        if (ctx === undefined) {
          const json = outbox.context(sessionPk) ?? '{}';
          ctx = { json, userAgent: userAgentOf(JSON.parse(json) as Record<string, unknown>) };
          contexts.set(sessionPk, ctx);
        }
        const head = `{"source":{"id":${JSON.stringify(this.upstream.source)}},"session":{"id":${JSON.stringify(sessionId)}},"profile":{"id":${JSON.stringify(profileId)}},"context":${ctx.json},"options":${debug ? '{"debugger":true}' : '{}'},`;
        group = { key, head, req: { profileId, userAgent: ctx.userAgent, body: '' }, events: [], bytes: head.length };
      }
      group.events.push(ev);
      group.bytes += ev.length + 1;
    }
    close();
    return out;
  }

  async send(parts: readonly ReplayRequest[][], signal: AbortSignal): Promise<void> {
    // Lanes by profile: a profile's requests go one after another, in commit order (its
    // visit numbers depend on it); other profiles' go beside them.
    const lanes = new Map<string, ReplayRequest[]>();
    for (const part of parts) {
      for (const r of part) {
        const lane = lanes.get(r.profileId);
        if (lane) lane.push(r);
        else lanes.set(r.profileId, [r]);
      }
    }
    const queue = [...lanes.values()];
    const work = async () => {
      for (let lane = queue.shift(); lane !== undefined; lane = queue.shift()) {
        for (const r of lane) await this.post(r, signal);
      }
    };
    await Promise.all(Array.from({ length: Math.min(LANES, queue.length) }, work));
  }

  private async post(r: ReplayRequest, signal: AbortSignal): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (r.userAgent !== null) headers['user-agent'] = r.userAgent;
    if (this.auth !== null) headers.authorization = this.auth;
    const res = await fetch(this.upstream.endpoint, { method: 'POST', headers, body: r.body, signal: AbortSignal.any([signal, AbortSignal.timeout(15_000)]) });
    const text = await res.text();
    if (res.status !== 200) {
      let detail = text.slice(0, 300);
      try {
        const d = (JSON.parse(text) as { detail?: unknown }).detail;
        if (d !== undefined) detail = typeof d === 'string' ? d : JSON.stringify(d).slice(0, 300);
      } catch {
        // not JSON: its first characters say enough
      }
      throw new Error(`the upstream answered ${res.status}${detail === '' ? '' : `: ${detail}`}`);
    }
  }

  async close(): Promise<void> {}
}
