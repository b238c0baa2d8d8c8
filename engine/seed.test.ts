import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../shared/rules';
import { seed, type SeedProgress } from './seed';
import { planSeed } from './seed-plan';

/** The seeder: a streamed plan, fed through the real engine, the same history for the same seed. */

const UNTIL = Date.UTC(2026, 4, 6, 15, 20);
const dirs: string[] = [];

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function seeded(seedNo: number, progress?: (p: SeedProgress) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'footfall-seed-'));
  dirs.push(dir);
  const r = await seed({ dataDir: dir, events: 20_000, days: 7, seed: seedNo, until: UNTIL, sessionTimeout: 1800, progress });
  const db = new Database(join(dir, 'footfall.db'), { readonly: true });
  try {
    const all = <T>(sql: string) => db.prepare(sql).all() as T[];
    const one = (sql: string) => db.prepare(sql).pluck().get() as number;
    return {
      r,
      byType: all<{ type: string; n: number }>('SELECT type, count(*) AS n FROM events GROUP BY type ORDER BY type'),
      visitsByNumber: all<{ visit_number: number; n: number }>('SELECT visit_number, count(*) AS n FROM sessions GROUP BY visit_number ORDER BY visit_number'),
      returning: one('SELECT count(*) FROM profiles WHERE visit_count > 1'),
      active: one('SELECT count(*) FROM sessions WHERE status = 0 AND debug = 0'),
      activeStartedEarly: one(`SELECT count(*) FROM sessions WHERE status = 0 AND debug = 0 AND last_at < ${UNTIL - 1800_000}`),
      debugEvents: one('SELECT count(*) FROM events WHERE debug = 1'),
      // Events of a session whose time goes back as their keys go up (none when fed in order).
      outOfOrder: one(`SELECT count(*) FROM events a JOIN events b ON b.session_pk = a.session_pk AND b.pk > a.pk AND b.time < a.time`),
      span: one('SELECT max(time) - min(time) FROM events'),
    };
  } finally {
    db.close();
  }
}

describe('seed', () => {
  it('writes the same history for the same seed, with the mix it promises', async () => {
    const seen: SeedProgress[] = [];
    const a = await seeded(9, (p) => seen.push(p));
    const b = await seeded(9);
    const { ms: _a, ...countsA } = a.r;
    const { ms: _b, ...countsB } = b.r;
    expect(countsA).toEqual(countsB);
    expect(a.byType).toEqual(b.byType);
    expect(a.visitsByNumber).toEqual(b.visitsByNumber);

    expect(a.r.planned).toBeGreaterThanOrEqual(20_000);
    const types = new Map(a.byType.map((t) => [t.type, t.n]));
    for (const t of ['profile-created', 'visit-started', 'visit-ended', 'page-view', 'click']) expect(types.get(t) ?? 0).toBeGreaterThan(0);
    expect(a.returning).toBeGreaterThan(0);
    expect(a.visitsByNumber.some((v) => v.visit_number >= 3)).toBe(true);
    // The last half hour's visits are still active, and only those.
    expect(a.active).toBeGreaterThan(0);
    expect(a.activeStartedEarly).toBe(0);
    expect(a.outOfOrder).toBe(0);
    // Spread over the range, not bunched at one end.
    expect(a.span).toBeGreaterThan(6 * DAY_MS);
    // Progress only goes forward and ends at what was planned.
    expect(seen.at(-1)).toMatchObject({ planned: a.r.planned, of: a.r.planned });
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.planned).toBeGreaterThanOrEqual(seen[i - 1]!.planned);
  }, 60_000);

  it('a different seed gives a different history', async () => {
    const a = await seeded(9);
    const c = await seeded(10);
    expect(c.byType).not.toEqual(a.byType);
  }, 60_000);
});

describe('planSeed', () => {
  const opts = { events: 20_000, from: UNTIL - 30 * DAY_MS, until: UNTIL, timeoutMs: 1800_000, seed: 4, sourceId: 'src' };

  it('streams the requests in time order, each session in its own order, within the range', () => {
    const plan = planSeed(opts);
    let last = -Infinity;
    let count = 0;
    let planned = 0;
    let debug = 0;
    const sessions = new Set<string>();
    const profiles = new Map<string, Set<string>>();
    for (const r of plan.requests()) {
      expect(r.at).toBeGreaterThanOrEqual(last);
      expect(r.at).toBeGreaterThanOrEqual(opts.from);
      expect(r.at).toBeLessThan(opts.until);
      last = r.at;
      count++;
      planned += r.planned;
      if (r.payload.options?.debugger) debug++;
      const s = r.payload.session!.id!;
      sessions.add(s);
      const p = r.payload.profile!.id!;
      if (!profiles.has(p)) profiles.set(p, new Set());
      profiles.get(p)!.add(s);
    }
    expect(sessions.size).toBe(plan.visits);
    expect(profiles.size).toBeLessThanOrEqual(plan.profiles);
    // What the requests stand for adds up to the plan (profiles whose only visit fell past the budget aside).
    expect(planned).toBeLessThanOrEqual(plan.planned);
    expect(planned).toBeGreaterThan(plan.planned - 10);
    expect(count).toBeGreaterThan(plan.visits);
    expect([...profiles.values()].some((s) => s.size > 1)).toBe(true);
    expect(debug).toBeGreaterThan(0);
  });

  it('plans the same requests for the same seed', () => {
    const a = [...planSeed(opts).requests()].slice(0, 500);
    const b = [...planSeed(opts).requests()].slice(0, 500);
    expect(b).toEqual(a);
  });
});
