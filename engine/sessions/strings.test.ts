import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestFootfall, type TestFootfall } from '../testing';

let t: TestFootfall;
beforeEach(async () => {
  t = await startTestFootfall({ sessionTimeout: 60 });
});
afterEach(async () => {
  await t.close();
});

const payload = (t: TestFootfall, type: string, url: string) => ({
  source: { id: t.source },
  session: { id: 'S' },
  profile: { id: 'P' },
  events: [{ type, properties: {}, context: { page: { url } } }],
});
const stored = (t: TestFootfall) =>
  t.ff.db.prepare('SELECT type, page_url AS url, context FROM events WHERE system = 0 ORDER BY pk').all() as Array<{ type: string; url: string; context: string }>;

describe("the events' strings (event_strings, kept by their keys in memory)", () => {
  it('forgets the keys a rolled-back transaction inserted: SQLite hands those numbers to the next new strings', async () => {
    expect((await t.track(payload(t, 'page-view', 'https://shop.test/'))).status).toBe(200);
    // Every write fails at its end, after its statements ran (a disk full at commit).
    const db = t.ff.db;
    const real = db.transaction.bind(db);
    db.transaction = ((fn: (...a: unknown[]) => unknown) =>
      real((...a: unknown[]) => {
        fn(...a);
        throw new Database.SqliteError('database or disk is full', 'SQLITE_FULL');
      })) as typeof db.transaction;
    const failed = await t.track(payload(t, 'first-new-type', 'https://shop.test/first'));
    db.transaction = real;
    expect(failed.status).toBe(503);
    // Other new strings take the numbers the failed transaction had; then the first ones come again.
    expect((await t.track(payload(t, 'second-new-type', 'https://shop.test/second'))).status).toBe(200);
    expect((await t.track(payload(t, 'first-new-type', 'https://shop.test/first'))).status).toBe(200);
    expect(stored(t).map((e) => [e.type, e.url, JSON.parse(e.context).page.url])).toEqual([
      ['page-view', 'https://shop.test/', 'https://shop.test/'],
      ['second-new-type', 'https://shop.test/second', 'https://shop.test/second'],
      ['first-new-type', 'https://shop.test/first', 'https://shop.test/first'],
    ]);
    expect(db.prepare('SELECT count(*) FROM event_strings').pluck().get()).toBe(db.prepare('SELECT count(DISTINCT value) FROM event_strings').pluck().get());
  });

  it("finds a string another writer stored (through the view's trigger) instead of storing it twice", async () => {
    const db = t.ff.db;
    db.prepare("INSERT INTO events (id, type, time, session_pk, profile_pk, source_id, page_url) VALUES ('outside', 'imported', 1, 1, 1, ?, 'https://shop.test/imported')").run(t.source);
    expect((await t.track(payload(t, 'imported', 'https://shop.test/imported'))).status).toBe(200);
    const keys = db.prepare("SELECT type_ref FROM event_rows WHERE id = 'outside' OR system = 0 ORDER BY pk").pluck().all();
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
  });

  it('stores a page URL or context inline the first time, by key once it repeats; both read the same', async () => {
    const db = t.ff.db;
    for (const url of ['https://shop.test/a', 'https://shop.test/a', 'https://shop.test/once', 'https://shop.test/a']) {
      expect((await t.track(payload(t, 'page-view', url))).status).toBe(200);
    }
    const rows = db.prepare('SELECT page_ref IS NOT NULL, page_url IS NOT NULL, context_ref IS NOT NULL, context IS NOT NULL FROM event_rows WHERE system = 0 ORDER BY pk').raw().all();
    // (The first URL was seen first in visit-started, written before the page view.)
    expect(rows).toEqual([
      [1, 0, 0, 1],
      [1, 0, 1, 0],
      [0, 1, 0, 1],
      [1, 0, 1, 0],
    ]);
    expect(stored(t).map((e) => [e.url, JSON.parse(e.context).page.url])).toEqual(
      ['a', 'a', 'once', 'a'].map((p) => [`https://shop.test/${p}`, `https://shop.test/${p}`]),
    );
    expect(db.prepare("SELECT count(*) FROM event_strings WHERE value LIKE '%/once%'").pluck().get()).toBe(0);
  });

  it('keeps a long context inline even when it repeats (the memory that remembers values stays small)', async () => {
    const long = `https://shop.test/${'x'.repeat(1100)}`;
    for (let i = 0; i < 3; i++) expect((await t.track(payload(t, 'page-view', long))).status).toBe(200);
    const refs = t.ff.db.prepare('SELECT context_ref FROM event_rows WHERE system = 0').pluck().all();
    expect(refs).toEqual([null, null, null]);
    expect(stored(t).map((e) => JSON.parse(e.context).page.url)).toEqual([long, long, long]);
  });

  it('ends sessions in the sweeper with their strings by key, a new one included', async () => {
    expect((await t.track(payload(t, 'page-view', 'https://shop.test/exit'))).status).toBe(200);
    // An exit page no event named (only by hand, between runs): the sweeper stores its string.
    const { dir, clock } = t;
    await t.ff.stop();
    const db = new Database(`${dir}/footfall.db`);
    db.prepare("UPDATE sessions SET exit_page = 'https://shop.test/elsewhere'").run();
    db.close();
    const again = await startTestFootfall({ sessionTimeout: 60, dir, clock });
    try {
      clock.advance(61_000);
      expect(await again.sweep()).toBe(1);
      const ended = again.ff.db.prepare("SELECT type, source_id, page_url FROM events WHERE type = 'visit-ended'").all();
      expect(ended).toEqual([{ type: 'visit-ended', source_id: again.source, page_url: 'https://shop.test/elsewhere' }]);
    } finally {
      await again.close();
    }
  });
});
