import { E, type Outbox, type Position } from './outbox';
import type { Sink } from './sink';
import { scrubSecrets, type Upstream } from './upstreams';

export interface ForwarderTuning {
  /** Events read (and encoded) in one step on the event loop. */
  chunk: number;
  /** Most events in one batch sent to the upstream. */
  batch: number;
  /** Least time between the starts of two sends, unless a backlog is being worked off: commits within it go together. */
  intervalMs: number;
  /** First wait after a failure; it doubles with each failure in a row, up to capMs. */
  backoffMs: number;
  backoffCapMs: number;
  /** How often an idle forwarder looks for events no commit notice announced (none should exist). */
  pollMs: number;
}

export interface ForwarderDeps {
  outbox: Outbox;
  now(): number;
  /** Resolves once everything committed so far is on disk: nothing goes upstream that a power cut could take back. */
  durable(): Promise<void>;
  log(msg: string): void;
}

const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

/**
 * Forwards the outbox to one upstream, off the commit path: woken by commits (and a slow
 * timer), it reads a batch after the upstream's mark in small steps, waits until the batch
 * is on disk, sends it, and moves the mark only once the upstream accepted it. While the
 * upstream fails it waits longer between tries (capped), and the events wait in the outbox.
 */
export class Forwarder {
  lastError: string | null = null;
  failingSince: number | null = null;
  private failures = 0;
  private timer: NodeJS.Timeout | null = null;
  /** When the timer fires (Date.now() time). */
  private dueAt = 0;
  private running: Promise<void> | null = null;
  private again = false;
  private lastStart = -Infinity;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(
    readonly upstream: Upstream,
    private readonly sink: Sink<unknown>,
    private readonly deps: ForwarderDeps,
    private readonly tuning: ForwarderTuning,
  ) {}

  start(): void {
    this.deps.outbox.open(this.upstream.url);
    this.schedule(0);
  }

  /** Something was committed: send it soon (at once, unless a send started less than intervalMs ago). */
  wake(): void {
    if (this.stopped || this.failures > 0) return; // a failing upstream is tried on its own schedule
    if (this.running !== null) {
      this.again = true;
      return;
    }
    const wait = Math.max(0, this.lastStart + this.tuning.intervalMs - Date.now());
    if (this.timer !== null && this.dueAt <= Date.now() + wait) return;
    this.schedule(wait);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.abort.abort(new Error('Footfall is stopping'));
    await this.running;
    await this.sink.close();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.dueAt = Date.now() + ms;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.step().finally(() => {
        this.running = null;
      });
    }, ms);
    // An idle poll must not keep the process alive.
    this.timer.unref();
  }

  private async step(): Promise<void> {
    this.again = false;
    const { outbox } = this.deps;
    const { chunk, batch } = this.tuning;
    const from: Position = outbox.position(this.upstream.url);
    const parts: unknown[] = [];
    let count = 0;
    let last = from.mark;
    while (count < batch && !this.stopped) {
      const rows = outbox.read(last, Math.min(chunk, batch - count));
      if (rows.length === 0) break;
      parts.push(this.sink.encode(rows, outbox));
      count += rows.length;
      last = rows.at(-1)![E.pk];
      if (rows.length < chunk) break;
      await yieldToLoop();
    }
    if (this.stopped) return;
    if (count === 0) return this.schedule(this.again ? 0 : this.tuning.pollMs);
    this.lastStart = Date.now();
    try {
      await this.deps.durable();
      await this.sink.send(parts, this.abort.signal);
    } catch (err) {
      if (!this.stopped) this.failed(err);
      return;
    }
    // Accepted: confirmed even when a stop came meanwhile (the database closes only after this step).
    outbox.confirm(this.upstream.url, from, last, count, this.deps.now());
    this.succeeded();
    // A full batch means more is waiting: go on at once.
    if (count >= batch) this.schedule(0);
    else this.schedule(this.again ? Math.max(0, this.lastStart + this.tuning.intervalMs - Date.now()) : this.tuning.pollMs);
  }

  private failed(err: unknown): void {
    const message = scrubSecrets(describe(err), this.upstream.secrets);
    if (this.failures === 0) {
      this.failingSince = this.deps.now();
      this.deps.log(`Forwarding to ${this.upstream.url} failed: ${message}. Retrying with backoff; the events wait in the outbox.`);
    }
    this.failures++;
    this.lastError = message;
    const base = Math.min(this.tuning.backoffCapMs, this.tuning.backoffMs * 2 ** (this.failures - 1));
    // A little jitter, so that several Footfalls do not all come back at the same moment.
    this.schedule(base * (0.8 + Math.random() * 0.2));
  }

  private succeeded(): void {
    if (this.failures > 0) this.deps.log(`Forwarding to ${this.upstream.url} works again.`);
    this.failures = 0;
    this.lastError = null;
    this.failingSince = null;
  }
}

/** An error's message, with its cause where the message alone says little ("fetch failed"). */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : null;
  const text = cause !== null && !err.message.includes(cause) ? `${err.message} (${cause})` : err.message;
  return text.replace(/\s+/g, ' ').trim().slice(0, 500);
}
