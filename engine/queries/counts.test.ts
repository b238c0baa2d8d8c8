import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../clock';
import { startTestFootfall, type TestFootfall } from '../testing';
import { CountQueries, localMidnight } from './counts';

let t: TestFootfall | null = null;
const savedTz = process.env.TZ;
afterEach(async () => {
  await t?.close();
  t = null;
  process.env.TZ = savedTz;
});

async function trackAt(ff: TestFootfall, at: number, session: string, types: string[], options: object = {}): Promise<void> {
  ff.clock.set(at);
  const r = await ff.track({ source: { id: ff.source }, session: { id: session }, profile: null, events: types.map((type) => ({ type, options })) });
  expect(r.status).toBe(200);
}

describe('CountQueries.countEventsSince', () => {
  it('counts tracked events from a time that is not on an hour, leaving out system events', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 15, 5, 0));
    t = await startTestFootfall({ clock });
    await trackAt(t, Date.UTC(2026, 0, 15, 6, 0), 'S1', ['page-view']); // before
    await trackAt(t, Date.UTC(2026, 0, 15, 6, 40), 'S2', ['page-view', 'click']); // the part-hour
    await trackAt(t, Date.UTC(2026, 0, 15, 7, 5), 'S3', ['page-view', 'click', 'purchase']); // whole hours
    await trackAt(t, Date.UTC(2026, 0, 16, 1, 0), 'S4', ['debug-thing'], { debugger: true }); // debug counts too
    const q = new CountQueries(t.ff.db);
    expect(q.countEventsSince(Date.UTC(2026, 0, 15, 6, 30))).toBe(6);
    expect(q.countEventsSince(Date.UTC(2026, 0, 15, 7, 0))).toBe(4);
    expect(q.countEventsSince(Date.UTC(2026, 0, 15, 6, 0))).toBe(7);
    expect(q.countEventsSince(Date.UTC(2026, 0, 15, 6, 41))).toBe(4);
    expect(q.countEventsSince(Date.UTC(2026, 0, 16, 1, 0, 0, 1))).toBe(0);
    // Every request also wrote visit-started/profile-created: they are not in the counts.
    const all = t.ff.db.prepare('SELECT count(*) FROM events').pluck().get() as number;
    expect(all).toBeGreaterThan(7);
  });

  it('answers 0 on an empty database', async () => {
    t = await startTestFootfall();
    const q = new CountQueries(t.ff.db);
    expect(q.countEventsSince(Date.UTC(2026, 0, 15, 6, 30))).toBe(0);
    expect(q.countEventsSince(0)).toBe(0);
  });
});

describe('countEventsToday', () => {
  it('starts the day at local midnight, also in a zone with a half-hour offset', async () => {
    process.env.TZ = 'Asia/Kolkata'; // UTC+5:30, no DST
    const clock = new FakeClock(Date.UTC(2026, 0, 14, 17, 0));
    t = await startTestFootfall({ clock });
    // Local midnight of 15 January in Kolkata is 14 January 18:30 UTC.
    expect(localMidnight(Date.UTC(2026, 0, 15, 3, 0))).toBe(Date.UTC(2026, 0, 14, 18, 30));
    await trackAt(t, Date.UTC(2026, 0, 14, 18, 0), 'S1', ['page-view']); // 23:30 on the 14th, local
    await trackAt(t, Date.UTC(2026, 0, 14, 18, 45), 'S2', ['page-view']); // 00:15 local
    await trackAt(t, Date.UTC(2026, 0, 14, 20, 10), 'S3', ['page-view', 'click']);
    const q = new CountQueries(t.ff.db);
    expect(q.countEventsToday(Date.UTC(2026, 0, 15, 3, 0))).toBe(3);
    // At 23:40 on the 14th, local, "today" began at 13 January 18:30 UTC: all four count.
    expect(q.countEventsToday(Date.UTC(2026, 0, 14, 18, 10))).toBe(4);
  });
});
