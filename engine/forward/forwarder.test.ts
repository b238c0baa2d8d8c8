import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestFootfall, until, type TestFootfall } from '../testing';
import { Forwarder, type ForwarderTuning } from './forwarder';
import { Forwarding } from './forwarding';
import { E, Outbox, type OutboxEvent } from './outbox';
import type { Sink } from './sink';
import { parseUpstream } from './upstreams';

/** An upstream in memory: what it accepted, by event id, and a switch that makes it fail. */
class FakeSink implements Sink<string[]> {
  received: string[] = [];
  batches = 0;
  fail: string | null = null;
  /** Accept the batch, then fail anyway: the answer lost on its way back. */
  loseAnswer = false;
  hold: Promise<void> | null = null;
  encode(events: readonly OutboxEvent[]): string[] {
    return events.map((e) => e[E.id]);
  }
  async send(parts: readonly string[][], signal: AbortSignal): Promise<void> {
    if (this.hold) await this.hold;
    signal.throwIfAborted();
    if (this.fail !== null) throw new Error(this.fail);
    this.batches++;
    this.received.push(...parts.flat());
    if (this.loseAnswer) throw new Error('socket hang up');
  }
  async close(): Promise<void> {}
}

const TUNING: ForwarderTuning = { chunk: 7, batch: 20, intervalMs: 5, backoffMs: 5, backoffCapMs: 20, pollMs: 50 };
const UP = parseUpstream('clickhouse+http://ingest:pa55word@ch.test:8123/db');

let t: TestFootfall;
let sink: FakeSink;
let f: Forwarder;
let lines: string[];
let durable: () => Promise<void>;
let unlisten: () => void;

beforeEach(async () => {
  t = await startTestFootfall();
  sink = new FakeSink();
  lines = [];
  durable = () => t.ff.engine.whenDurable();
  f = new Forwarder(UP, sink, { outbox: new Outbox(t.ff.db), now: () => t.clock.now(), durable: () => durable(), log: (m) => lines.push(m) }, TUNING);
  unlisten = t.ff.engine.onCommit(() => f.wake());
  f.start();
});
afterEach(async () => {
  unlisten();
  await f.stop();
  await t.close();
});

let seq = 0;
async function send(n: number, session = 'S1'): Promise<string[]> {
  const ids = Array.from({ length: n }, () => `e${++seq}`);
  const r = await t.track({ source: { id: t.source }, session: { id: session }, profile: { id: `P-${session}` }, events: ids.map((id) => ({ id, type: 'click' })) });
  expect(r.status).toBe(200);
  return ids;
}
const stored = () => t.ff.db.prepare('SELECT id FROM events ORDER BY pk').pluck().all() as string[];

describe('a forwarder', () => {
  it('sends every committed event, in commit order, in batches no larger than its limit', async () => {
    for (let i = 0; i < 6; i++) await send(9, `S${i % 3}`);
    await until(() => sink.received.length === stored().length);
    expect(sink.received).toEqual(stored());
    expect(sink.batches).toBeGreaterThanOrEqual(Math.ceil(stored().length / TUNING.batch));
    const status = new Outbox(t.ff.db).status(UP.url);
    expect(status).toMatchObject({ pending: 0, forwarded: stored().length });
  });

  it('while the upstream fails: nothing is confirmed, it says why once, and catches up once it works again', async () => {
    sink.fail = 'connect ECONNREFUSED 10.0.0.1:8123 for ingest:pa55word';
    await send(5);
    await until(() => f.lastError !== null);
    expect(f.lastError).toContain('ECONNREFUSED');
    expect(f.lastError).not.toContain('pa55word');
    expect(new Outbox(t.ff.db).status(UP.url).pending).toBe(stored().length);
    await send(5);
    await new Promise((r) => setTimeout(r, 60));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Forwarding to clickhouse\+http:\/\/ch\.test:8123\/db failed: .*ECONNREFUSED.*Retrying/);
    expect(lines.join('\n')).not.toContain('pa55word');
    sink.fail = null;
    await until(() => sink.received.length === stored().length);
    expect(sink.received).toEqual(stored());
    await until(() => f.lastError === null);
    expect(lines[1]).toBe('Forwarding to clickhouse+http://ch.test:8123/db works again.');
  });

  it('an answer lost after the upstream accepted: the batch goes again (at least once), nothing is skipped', async () => {
    sink.loseAnswer = true;
    const ids = await send(4);
    await until(() => sink.batches >= 2);
    sink.loseAnswer = false;
    await until(() => new Outbox(t.ff.db).status(UP.url).pending === 0);
    expect(new Set(sink.received)).toEqual(new Set(stored()));
    expect(sink.received.filter((id) => id === ids[0]).length).toBeGreaterThanOrEqual(2);
  });

  it('sends nothing before what it read is on disk', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    durable = () => held;
    await send(3);
    await new Promise((r) => setTimeout(r, 50));
    expect(sink.received).toEqual([]);
    release();
    await until(() => sink.received.length === stored().length);
  });

  it('stopped mid-send, it confirms nothing it was not told was accepted', async () => {
    let release!: () => void;
    sink.hold = new Promise<void>((r) => (release = r));
    await send(3);
    await until(() => new Outbox(t.ff.db).status(UP.url).pending > 0);
    await new Promise((r) => setTimeout(r, 20));
    const stopping = f.stop();
    release();
    await stopping;
    expect(sink.received).toEqual([]);
    expect(new Outbox(t.ff.db).status(UP.url)).toMatchObject({ forwarded: 0, pending: stored().length });
  });
});

describe('forwarding with no upstream', () => {
  it('listens to no commit and keeps no mark', async () => {
    let listened = 0;
    const engine = { onCommit: () => ((listened++), () => {}), whenDurable: () => Promise.resolve() };
    const none = new Forwarding({ db: t.ff.db, engine, now: () => 0, log: () => {}, flags: [], stored: [], save: () => {} });
    none.start();
    expect(listened).toBe(0);
    expect(none.list()).toEqual([]);
    await none.stop();
  });
});
