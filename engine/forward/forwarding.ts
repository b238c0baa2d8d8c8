import { DomainError } from '../errors';
import type { UpstreamView } from '../../shared/api';
import { ClickHouseSink } from './clickhouse';
import { Forwarder, type ForwarderDeps, type ForwarderTuning } from './forwarder';
import { Outbox } from './outbox';
import { TrackSink } from './replay';
import type { Sink } from './sink';
import { parseUpstream, type Upstream } from './upstreams';
import type { DB } from '../db/database';

/** What forwarding needs of the session engine: commit notices, and when a commit is on disk. */
export interface CommitSource {
  onCommit(listener: () => void): () => void;
  whenDurable(): Promise<void>;
}

export interface ForwardingOptions {
  db: DB;
  engine: CommitSource;
  now(): number;
  log(msg: string): void;
  /** Upstream URLs from `--forward` / FOOTFALL_FORWARD. */
  flags: readonly string[];
  /** Upstream URLs added in the dashboard, as stored. */
  stored: readonly string[];
  /** Keeps the dashboard's list (credentials included) in the settings. */
  save(urls: string[]): void;
  tuning?: Partial<Record<Upstream['kind'], Partial<ForwarderTuning>>>;
}

/**
 * ClickHouse takes few large inserts best (each is a part it merges later); a `/track` takes
 * the events of one visit a request, so smaller batches keep a replay close behind.
 */
const TUNING: Record<Upstream['kind'], ForwarderTuning> = {
  clickhouse: { chunk: 250, batch: 10_000, intervalMs: 1000, backoffMs: 500, backoffCapMs: 30_000, pollMs: 5000 },
  track: { chunk: 200, batch: 1000, intervalMs: 100, backoffMs: 500, backoffCapMs: 30_000, pollMs: 5000 },
};

interface Entry {
  forwarder: Forwarder;
  origin: 'flag' | 'settings';
}

/** Every upstream and its forwarder; with none, nothing is listened to or run. */
export class Forwarding {
  private outboxOf: Outbox | null = null;
  private readonly entries = new Map<string, Entry>();
  private unlisten: (() => void) | null = null;
  private started = false;

  constructor(private readonly opts: ForwardingOptions) {
    for (const raw of opts.flags) this.put(parseUpstream(raw), 'flag');
    for (const raw of opts.stored) {
      try {
        const u = parseUpstream(raw);
        if (!this.entries.has(u.id)) this.put(u, 'settings');
      } catch (err) {
        opts.log(`A forwarding upstream kept in the settings is not usable and was skipped: ${(err as Error).message}`);
      }
    }
  }

  start(): void {
    this.started = true;
    for (const e of this.entries.values()) e.forwarder.start();
    this.listen();
  }

  list(): UpstreamView[] {
    return [...this.entries.values()].map(({ forwarder: f, origin }) => {
      const s = this.outbox.status(f.upstream.url);
      const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
      return { id: f.upstream.id, url: f.upstream.url, kind: f.upstream.kind, origin, forwarded: s.forwarded, pending: s.pending, lastError: f.lastError, lastOkAt: iso(s.lastOkAt), failingSince: iso(f.failingSince) };
    });
  }

  /** Adds an upstream from the dashboard (throws UpstreamUrlError for a URL it cannot use). */
  add(raw: string): UpstreamView {
    const u = parseUpstream(raw);
    if (this.entries.has(u.id)) throw new DomainError('conflict', `Footfall already forwards to ${u.url}.`);
    const f = this.put(u, 'settings');
    this.saveList();
    if (this.started) f.start();
    this.listen();
    return this.list().find((v) => v.id === u.id)!;
  }

  /** Removes an upstream added in the dashboard, and its mark: added again, it starts from the first event. */
  async remove(id: string): Promise<void> {
    const e = this.entries.get(id);
    if (!e) throw new DomainError('not-found', `No upstream "${id}".`);
    if (e.origin === 'flag') {
      throw new DomainError('conflict', `${e.forwarder.upstream.url} was set with --forward (or FOOTFALL_FORWARD); start Footfall without it to stop forwarding there.`);
    }
    this.entries.delete(id);
    this.saveList();
    if (this.entries.size === 0) this.unlistenAll();
    await e.forwarder.stop();
    this.outbox.forget(e.forwarder.upstream.url);
  }

  /** Every password of every upstream: the log scrubs them. */
  secrets(): string[] {
    return [...this.entries.values()].flatMap((e) => e.forwarder.upstream.secrets);
  }

  async stop(): Promise<void> {
    this.unlistenAll();
    await Promise.all([...this.entries.values()].map((e) => e.forwarder.stop()));
  }

  /** Made with the first upstream: without one, forwarding prepares nothing. */
  private get outbox(): Outbox {
    return (this.outboxOf ??= new Outbox(this.opts.db));
  }

  private put(u: Upstream, origin: Entry['origin']): Forwarder {
    const tuning = { ...TUNING[u.kind], ...this.opts.tuning?.[u.kind] };
    const sink: Sink<unknown> = u.kind === 'clickhouse' ? new ClickHouseSink(u) : new TrackSink(u);
    const deps: ForwarderDeps = { outbox: this.outbox, now: this.opts.now, durable: () => this.opts.engine.whenDurable(), log: this.opts.log };
    const forwarder = new Forwarder(u, sink, deps, tuning);
    this.entries.set(u.id, { forwarder, origin });
    return forwarder;
  }

  private listen(): void {
    if (!this.started || this.unlisten !== null || this.entries.size === 0) return;
    this.unlisten = this.opts.engine.onCommit(() => {
      for (const e of this.entries.values()) e.forwarder.wake();
    });
  }

  private unlistenAll(): void {
    this.unlisten?.();
    this.unlisten = null;
  }

  private saveList(): void {
    this.opts.save([...this.entries.values()].filter((e) => e.origin === 'settings').map((e) => e.forwarder.upstream.raw));
  }
}
