import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestFootfall, type TestFootfall } from '../testing';
import { E, Outbox } from './outbox';

/**
 * The outbox must never skip a committed event: `events.pk` is a rowid that SQLite hands
 * out again once the newest events are deleted, so a mark over pk has to follow deletions.
 */

let t: TestFootfall;
let outbox: Outbox;
const U = 'clickhouse+http://ch.test:8123/db';

beforeEach(async () => {
  t = await startTestFootfall();
  outbox = new Outbox(t.ff.db);
});
afterEach(async () => {
  await t.close();
});

let n = 0;
async function send(count: number, opts: { debug?: boolean; session?: string } = {}): Promise<string[]> {
  const ids = Array.from({ length: count }, () => `ev-${++n}`);
  const r = await t.track({
    source: { id: t.source },
    session: { id: opts.session ?? 'S1' },
    profile: { id: 'P1' },
    options: opts.debug ? { debugger: true } : {},
    events: ids.map((id) => ({ id, type: 'page-view', context: { page: { url: 'https://shop.test/' } } })),
  });
  expect(r.status).toBe(200);
  return ids;
}

/** Reads everything after the upstream's mark and confirms it, as a forwarder whose upstream accepts all would. */
function forwardAll(): string[] {
  const from = outbox.position(U);
  const rows = outbox.read(from.mark, 100_000);
  if (rows.length > 0) outbox.confirm(U, from, rows.at(-1)![E.pk], rows.length, 1);
  return rows.map((r) => r[E.id]);
}

const tracked = (ids: string[]) => ids.filter((id) => id.startsWith('ev-'));
const triggerExists = () => t.ff.db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'forward_marks_follow_deletes'").pluck().get() === 1;

describe('the outbox', () => {
  it('hands out every committed event once, in commit order, with its session and profile ids', async () => {
    outbox.open(U);
    const first = await send(3);
    const read = outbox.read(outbox.position(U).mark, 100);
    expect(read.map((e) => e[E.type])).toEqual(['profile-created', 'visit-started', 'page-view', 'page-view', 'page-view']);
    expect(read.map((e) => e[E.pk])).toEqual([...read.map((e) => e[E.pk])].sort((a, b) => a - b));
    expect(read.every((e) => e[E.sessionId] === 'S1' && e[E.profileId] === 'P1')).toBe(true);
    expect(tracked(forwardAll())).toEqual(first);
    const second = await send(2);
    expect(tracked(forwardAll())).toEqual(second);
    expect(forwardAll()).toEqual([]);
    expect(outbox.status(U)).toMatchObject({ forwarded: 7, pending: 0 });
  });

  it('a new upstream starts from the first event stored', async () => {
    const before = await send(2);
    outbox.open(U);
    expect(tracked(forwardAll())).toEqual(before);
  });

  it('skips nothing when the newest events were deleted and their pks are handed out again (debug data)', async () => {
    outbox.open(U);
    await send(2);
    await send(3, { debug: true });
    forwardAll();
    const maxBefore = t.ff.db.prepare('SELECT max(pk) FROM events').pluck().get() as number;
    t.ff.engine.deleteDebugData();
    const after = await send(4);
    // The new events took pks the deleted ones had: a mark left where it was would skip them.
    const pks = t.ff.db.prepare(`SELECT pk FROM events WHERE id IN (${after.map(() => '?').join(',')})`).pluck().all(...after) as number[];
    expect(Math.min(...pks)).toBeLessThanOrEqual(maxBefore);
    expect(tracked(forwardAll())).toEqual(after);
  });

  it('skips nothing after every event is deleted (a reset) and new ones arrive', async () => {
    outbox.open(U);
    await send(5);
    forwardAll();
    t.ff.db.exec('DELETE FROM events');
    const after = await send(2, { session: 'S2' });
    expect(tracked(forwardAll())).toEqual(after);
  });

  it('does not take a batch read before such a deletion as confirmed: its pks may belong to new events', async () => {
    outbox.open(U);
    await send(2);
    forwardAll();
    await send(3, { debug: true });
    const from = outbox.position(U);
    const inFlight = outbox.read(from.mark, 100);
    expect(inFlight).toHaveLength(3);
    // While the batch is on its way: the debug events go, and new events reuse their pks.
    t.ff.engine.deleteDebugData();
    const after = await send(3);
    expect(outbox.confirm(U, from, inFlight.at(-1)![E.pk], inFlight.length, 2)).toBe(false);
    expect(tracked(forwardAll())).toEqual(after);
  });

  it('does not send everything again when old events are deleted (retention)', async () => {
    outbox.open(U);
    await send(3, { session: 'OLD' });
    await send(3, { session: 'NEW' });
    forwardAll();
    const markBefore = outbox.position(U).mark;
    // The oldest events go, as retention deletes them.
    t.ff.db.exec("DELETE FROM events WHERE session_pk = (SELECT pk FROM sessions WHERE id = 'OLD')");
    expect(outbox.position(U).mark).toBe(markBefore);
    expect(forwardAll()).toEqual([]);
  });

  it('keeps its trigger only while an upstream has a mark: without forwarding, deletions cost what they did', async () => {
    expect(triggerExists()).toBe(false);
    outbox.open(U);
    outbox.open('track+http://other.test/track?source=x');
    expect(triggerExists()).toBe(true);
    outbox.forget(U);
    expect(triggerExists()).toBe(true);
    outbox.forget('track+http://other.test/track?source=x');
    expect(triggerExists()).toBe(false);
  });

  it('a forgotten upstream added again starts from the first event', async () => {
    outbox.open(U);
    const ids = await send(2);
    forwardAll();
    outbox.forget(U);
    outbox.open(U);
    expect(tracked(forwardAll())).toEqual(ids);
  });

  it('a backlog of more than 100,000 (past the part it counts, from the newest pk) is still the right number', async () => {
    outbox.open(U);
    await send(1);
    t.ff.db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 150000)
      INSERT INTO events (id, type, time, session_pk, profile_pk, source_id) SELECT 'bulk-' || i, 'click', 1, 1, 1, 'x' FROM n`);
    expect(outbox.status(U).pending).toBe(t.ff.db.prepare('SELECT count(*) FROM events').pluck().get());
  });

  it('counts what is pending', async () => {
    outbox.open(U);
    await send(4);
    expect(outbox.status(U).pending).toBe(6);
    forwardAll();
    await send(1);
    expect(outbox.status(U)).toMatchObject({ pending: 1, forwarded: 6, lastOkAt: 1 });
  });
});
