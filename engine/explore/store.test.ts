import { inflateRawSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../clock';
import { startTestFootfall, type TestFootfall } from '../testing';
import { SESSION_DIMS, type ExploreData } from './data';
import { ExploreStore } from './store';

const T0 = Date.UTC(2026, 0, 10, 9, 0);
let t: TestFootfall;
afterEach(async () => {
  await t.close();
});

/** Everything the data holds, by session pk, in plain values (ids turned back into strings). */
function snapshot(d: ExploreData) {
  const out: unknown[] = [];
  for (let s = 0; s < d.nSessions; s++) {
    const events: unknown[] = [];
    for (let e = d.first[s]!; e >= 0; e = d.nextOf(e)) {
      const props: string[] = [];
      for (let k = d.propStart(e); k < d.propEnd(e); k++) props.push(`${d.strings.values[d.propName[k]!]}=${d.values.values[d.propValue(k)]}`);
      events.push([d.strings.values[d.type[e]!], d.page[e]! < 0 ? null : d.strings.values[d.page[e]!], d.timeAt(e), props]);
    }
    out.push({
      pk: d.pk[s],
      profile: d.profilePk[d.profile[s]!],
      status: d.status[s],
      cls: d.cls[s],
      startedAt: d.startedAt[s],
      lastAt: d.lastAt[s],
      duration: Number.isNaN(d.duration[s]!) ? null : d.duration[s],
      counts: [d.events[s], d.pageViews[s], d.keyEvents[s], d.visitNumber[s]],
      dims: SESSION_DIMS.map((_, k) => (d.dims[k]![s]! < 0 ? null : d.strings.values[d.dims[k]![s]!])),
      events,
    });
  }
  return out.sort((a, b) => (a as { pk: number }).pk - (b as { pk: number }).pk);
}

async function visits(from: number, to: number, at = T0): Promise<void> {
  for (let i = from; i < to; i++) {
    t.clock.set(at + i * 7000);
    const r = await t.track({
      source: { id: t.source },
      session: { id: `s${i}` },
      profile: { id: `p${i % 7}` },
      ...(i % 9 === 4 ? { options: { debugger: true } } : {}),
      events: [
        { type: 'page-view', properties: { title: `Page ${i % 3}` }, context: { page: { url: `https://shop.test/p${i % 4}?q=${i}` } } },
        { type: i % 2 ? 'add-to-cart' : 'click', properties: { qty: i % 3, ok: i % 2 === 0, nested: { x: 1 } } },
      ],
    });
    expect(r.status).toBe(200);
  }
}

/** A store built from the tables alone, to compare with. */
async function fromTables(): Promise<unknown[]> {
  t.ff.db.prepare('SAVEPOINT fresh').run();
  t.ff.db.prepare('DELETE FROM explore_segments').run();
  const d = await new ExploreStore(t.ff.db, { segmentEvents: 1e9, segmentSessions: 1e9 }).current();
  t.ff.db.prepare('ROLLBACK TO fresh').run();
  t.ff.db.prepare('RELEASE fresh').run();
  return snapshot(d);
}

const small = { segmentEvents: 5, segmentSessions: 3 };
const segments = () => t.ff.db.prepare('SELECT kind, lo, hi, items FROM explore_segments ORDER BY kind, lo').all() as Array<{ kind: number; lo: number; hi: number; items: number }>;

describe('the explore store', () => {
  it('loads from its segments what it read from the tables, and catches up after', async () => {
    t = await startTestFootfall({ clock: new FakeClock(T0), sessionTimeout: 60 });
    await visits(0, 25);
    const first = new ExploreStore(t.ff.db, small);
    const built = snapshot(await first.current());
    first.flush();
    expect(segments().length).toBeGreaterThan(6);
    expect(built).toEqual(await fromTables());
    const again = new ExploreStore(t.ff.db, small);
    expect(snapshot(await again.current())).toEqual(built);
    // New visits, and the old ones ended by the sweeper: read on the next call.
    await visits(25, 31);
    t.clock.advance(120_000);
    expect(await t.sweep()).toBeGreaterThan(0);
    expect(snapshot(await again.current())).toEqual(await fromTables());
    again.flush();
    expect(snapshot(await new ExploreStore(t.ff.db, small).current())).toEqual(await fromTables());
  });

  it('stores its segments deflated, and loads one written before that as it is', async () => {
    t = await startTestFootfall({ clock: new FakeClock(T0), sessionTimeout: 60 });
    await visits(0, 25);
    const first = new ExploreStore(t.ff.db, small);
    const built = snapshot(await first.current());
    first.flush();
    const rows = t.ff.db.prepare('SELECT kind, lo, data FROM explore_segments').all() as Array<{ kind: number; lo: number; data: Buffer }>;
    expect(rows.length).toBeGreaterThan(6);
    const rewrite = t.ff.db.prepare('UPDATE explore_segments SET data = ? WHERE kind = ? AND lo = ?');
    for (const r of rows) {
      expect(r.data.readUInt32LE(0)).toBe(0xffffffff);
      // As the previous format stored it: the segment's bytes themselves.
      rewrite.run(inflateRawSync(r.data.subarray(4)), r.kind, r.lo);
    }
    expect(snapshot(await new ExploreStore(t.ff.db, small).current())).toEqual(built);
    // Nothing was read from the tables again: the old segments are all still there.
    expect(segments().length).toBe(rows.length);
  });

  it('rewrites a small last segment instead of adding another', async () => {
    t = await startTestFootfall({ clock: new FakeClock(T0), sessionTimeout: 60 });
    await visits(0, 2);
    const store = new ExploreStore(t.ff.db, { segmentEvents: 100, segmentSessions: 100 });
    await store.current();
    store.flush();
    await visits(2, 4);
    await store.current();
    store.flush();
    expect(segments().map((s) => [s.kind, s.lo, s.items])).toEqual([
      [0, 0, 8],
      [1, 0, 4],
    ]);
  });

  it('forgets deleted sessions and events, whether in segments or not', async () => {
    t = await startTestFootfall({ clock: new FakeClock(T0), sessionTimeout: 60 });
    await visits(0, 20);
    const store = new ExploreStore(t.ff.db, small);
    await store.current();
    store.flush();
    t.clock.advance(3_600_000);
    await t.sweep();
    // Debug data, then retention of what ended before the 10th visit.
    expect(t.ff.engine.deleteDebugData().sessions).toBe(1);
    expect(t.ff.engine.deleteOlderThan(T0 + 10 * 7000, 1000)).toBeGreaterThan(0);
    const after = snapshot(await store.current());
    expect(after).toEqual(await fromTables());
    expect(after.some((s) => (s as { cls: number }).cls === 2)).toBe(false);
    expect(snapshot(await new ExploreStore(t.ff.db, small).current())).toEqual(after);
  });

  it('reads a segment it cannot decode from the tables again', async () => {
    t = await startTestFootfall({ clock: new FakeClock(T0), sessionTimeout: 60 });
    await visits(0, 12);
    const store = new ExploreStore(t.ff.db, small);
    const want = snapshot(await store.current());
    store.flush();
    const [victim] = segments().filter((s) => s.kind === 0);
    t.ff.db.prepare('UPDATE explore_segments SET data = ? WHERE kind = 0 AND lo = ?').run(Buffer.from('not a segment'), victim!.lo);
    expect(snapshot(await new ExploreStore(t.ff.db, small).current())).toEqual(want);
    expect(segments().find((s) => s.kind === 0 && s.lo === victim!.lo)?.items).toBe(victim!.items);
  });

  it('reads a range again after a deletion a batch at a time, giving the event loop back between batches', async () => {
    t = await startTestFootfall({ clock: new FakeClock(T0), sessionTimeout: 60 });
    // Two visits at once, their events interleaved: `old` ends at once, `kept` goes on.
    const send = async (id: string, n: number) => {
      const events = Array.from({ length: n }, (_, i) => ({ type: 'click', properties: { i } }));
      expect((await t.track({ source: { id: t.source }, session: { id }, profile: { id: 'p' }, events })).status).toBe(200);
    };
    for (let k = 0; k < 4; k++) await send(k % 2 ? 'kept' : 'old', 250);
    t.clock.advance(40_000);
    await send('kept', 300);
    t.clock.advance(30_000);
    await t.sweep(); // ends `old` only
    await send('kept', 600);
    t.clock.advance(120_000);
    await t.sweep();
    const store = new ExploreStore(t.ff.db, { segmentEvents: 300 });
    await store.current();
    store.flush();
    // The first visit's events and its visit-ended event span the first segments, not the last.
    expect(segments().filter((s) => s.kind === 0).length).toBeGreaterThan(3);
    // Retention deletes the first visit: the segments its events touch go, and the other
    // visit's events in their range are read from the table again.
    expect(t.ff.engine.deleteOlderThan(T0 + 60_000, 1000)).toBeGreaterThan(0);
    const reads: number[] = [];
    const ingest = (store as unknown as { ingest: { eventsIn: (...a: unknown[]) => { rows: number } } }).ingest;
    const eventsIn = ingest.eventsIn.bind(ingest);
    ingest.eventsIn = (...a: unknown[]) => {
      const r = eventsIn(...a);
      reads.push(r.rows);
      return r;
    };
    const d = snapshot(await store.current());
    expect(d).toEqual(await fromTables());
    expect(reads.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(500);
    expect(Math.max(...reads)).toBeLessThanOrEqual(256);
  });

  it('gives the event loop back while it reads a backlog', async () => {
    t = await startTestFootfall({ clock: new FakeClock(T0), sessionTimeout: 60 });
    for (let b = 0; b < 6; b++) {
      const events = Array.from({ length: 1000 }, (_, i) => ({ type: 'click', properties: { i } }));
      expect((await t.track({ source: { id: t.source }, session: { id: `bulk${b}` }, profile: { id: 'bulk' }, events })).status).toBe(200);
    }
    const store = new ExploreStore(t.ff.db, { sliceMs: 0, segmentEvents: 1000 });
    let turns = 0;
    let go = true;
    const turn = () => {
      turns++;
      if (go) setImmediate(turn);
    };
    setImmediate(turn);
    const d = await store.current();
    go = false;
    expect(d.nEvents).toBe(6000);
    // Six batches, five turns of the event loop between them at least.
    expect(turns).toBeGreaterThanOrEqual(5);
  });
});
