import type { FastifyReply, FastifyRequest } from 'fastify';
import { LIVE_LIMITS, type EventView, type LiveMessage, type SessionView } from '../../shared/api';
import type { TrafficSet } from '../queries/traffic';
import type { CommitNotice, SessionEngine } from '../sessions/engine';
import type { Queries } from '../queries';

type Skipped = Extract<LiveMessage, { kind: 'skipped' }>;

/**
 * A client with this much of the stream not yet taken by its socket is not reading (a frozen
 * page): it is sent nothing more until it has caught up, then told what it missed.
 */
const SLOW_CLIENT_BYTES = 4 * 1024 * 1024;

/**
 * Commits are sent together at most this often: the Live view redraws once a frame anyway,
 * and a sweep commits a chunk every few milliseconds. The first commit after a quiet spell
 * goes out at once.
 */
const WINDOW_MS = 100;

/** Primary keys of one kind, the newest `limit` of them, and how many older ones were dropped. */
class Newest {
  keys: number[] = [];
  dropped = 0;
  constructor(private readonly limit: number) {}
  add(list: readonly number[]): void {
    for (const k of list) this.keys.push(k);
    if (this.keys.length > this.limit * 2) this.trim();
  }
  trim(): readonly number[] {
    const over = this.keys.length - this.limit;
    if (over > 0) {
      this.keys.splice(0, over);
      this.dropped += over;
    }
    return this.keys;
  }
}

function sse(m: LiveMessage): string {
  return `event: ${m.kind}\ndata: ${JSON.stringify(m)}\n\n`;
}

/**
 * The live stream (`GET /api/live?traffic=...`): Server-Sent Events of committed events and
 * of sessions starting and ending, of the traffic classes each client asked for. Commits are sent together at most every WINDOW_MS, at most
 * LIVE_LIMITS of each kind (the newest), then a `skipped` message when there were more.
 * Work is done only while someone is listening.
 */
export class LiveHub {
  /** Each client: the traffic it asked for, and what it was not sent while it was not reading. */
  private readonly clients = new Map<FastifyReply, Client>();
  private unsubscribe: (() => void) | null = null;
  private ping: NodeJS.Timeout | null = null;
  /** Commits not sent yet (inside the window), and when the last send was. */
  private started = new Newest(LIVE_LIMITS.sessionsStarted);
  private events = new Newest(LIVE_LIMITS.events);
  private ended = new Newest(LIVE_LIMITS.sessionsEnded);
  private timer: NodeJS.Timeout | null = null;
  private lastSent = -Infinity;

  constructor(
    private readonly engine: SessionEngine,
    private readonly queries: Queries['asCommitted'],
    /** How often at most commits are sent, ms (tests: 0, each commit at once). */
    private readonly windowMs = WINDOW_MS,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  /** Streams to `reply` the messages of sessions and events of the classes in `traffic`. */
  attach(req: FastifyRequest, reply: FastifyReply, traffic: TrafficSet): void {
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // A HEAD answer has no body, and Node sends a head only with one: end it here, or the
    // client waits forever.
    if (req.method === 'HEAD') {
      reply.raw.end();
      return;
    }
    reply.raw.write(': footfall live stream\nretry: 2000\n\n');
    this.clients.set(reply, { traffic, key: [...traffic].sort().join(','), missed: null });
    req.raw.on('close', () => this.detach(reply));
    if (!this.unsubscribe) {
      this.unsubscribe = this.engine.onCommit((n) => this.collect(n));
      this.ping = setInterval(() => this.write(': ping\n\n'), 15_000);
      this.ping.unref();
    }
  }

  private detach(reply: FastifyReply): void {
    this.clients.delete(reply);
    if (this.clients.size === 0) this.stopListening();
  }

  private stopListening(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.ping) clearInterval(this.ping);
    this.ping = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.reset();
  }

  private reset(): void {
    this.started = new Newest(LIVE_LIMITS.sessionsStarted);
    this.events = new Newest(LIVE_LIMITS.events);
    this.ended = new Newest(LIVE_LIMITS.sessionsEnded);
  }

  /** Adds a commit to the window, and sends the window when it is due. */
  private collect(n: CommitNotice): void {
    this.started.add(n.started);
    this.events.add(n.events);
    this.ended.add(n.ended);
    if (this.timer) return;
    const wait = this.lastSent + this.windowMs - performance.now();
    if (wait <= 0) this.send();
    else this.timer = setTimeout(() => this.send(), wait);
  }

  /** Sends what the window holds to every client that is reading. */
  private send(): void {
    this.timer = null;
    this.lastSent = performance.now();
    const started = this.started.trim();
    const events = this.events.trim();
    const ended = this.ended.trim();
    const total: Skipped = {
      kind: 'skipped',
      events: events.length + this.events.dropped,
      sessionsStarted: started.length + this.started.dropped,
      sessionsEnded: ended.length + this.ended.dropped,
    };
    const skipped: Skipped = { kind: 'skipped', events: this.events.dropped, sessionsStarted: this.started.dropped, sessionsEnded: this.ended.dropped };
    let read: Read | null = null;
    /** One chunk for each set of classes clients asked for. */
    const chunks = new Map<string, string>();
    for (const [c, client] of this.clients) {
      if (c.raw.writableLength > SLOW_CLIENT_BYTES) {
        client.missed = client.missed === null ? total : add(client.missed, total);
        continue;
      }
      // Read only what someone will be sent: the newest of each kind, then what was left out.
      read ??= this.read(started, events, ended);
      let chunk = chunks.get(client.key);
      if (chunk === undefined) chunks.set(client.key, (chunk = messages(read, client.traffic, skipped)));
      if (client.missed !== null) {
        c.raw.write(sse(client.missed));
        client.missed = null;
      }
      c.raw.write(chunk);
    }
    this.reset();
  }

  private read(started: readonly number[], events: readonly number[], ended: readonly number[]): Read {
    return { started: this.queries.getSessionsByPk(started), events: this.queries.getEventsByPk(events), ended: this.queries.getSessionsByPk(ended) };
  }

  private write(chunk: string): void {
    for (const c of this.clients.keys()) c.raw.write(chunk);
  }

  /** Ends every stream (at shutdown, so the server can close). */
  close(): void {
    for (const c of this.clients.keys()) c.raw.end();
    this.clients.clear();
    this.stopListening();
  }
}

interface Client {
  traffic: TrafficSet;
  /** The classes as one string: clients asking for the same ones share a chunk. */
  key: string;
  missed: Skipped | null;
}

/** One send's rows, read once for every client. */
interface Read {
  started: SessionView[];
  events: EventView[];
  ended: SessionView[];
}

/** The messages of one send for clients of `traffic`: each session and event by its own class. */
function messages(r: Read, traffic: TrafficSet, skipped: Skipped): string {
  let chunk = '';
  for (const session of r.started) if (traffic.has(session.metadata.traffic)) chunk += sse({ kind: 'session-started', session });
  for (const event of r.events) if (traffic.has(event.metadata.traffic)) chunk += sse({ kind: 'event', event });
  for (const session of r.ended) if (traffic.has(session.metadata.traffic)) chunk += sse({ kind: 'session-ended', session });
  if (skipped.events + skipped.sessionsStarted + skipped.sessionsEnded > 0) chunk += sse(skipped);
  return chunk;
}

function add(a: Skipped, b: Skipped): Skipped {
  return { kind: 'skipped', events: a.events + b.events, sessionsStarted: a.sessionsStarted + b.sessionsStarted, sessionsEnded: a.sessionsEnded + b.sessionsEnded };
}
