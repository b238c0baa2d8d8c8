import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { paced } from './pace';
import { Visitors } from './payload';
import { percentile } from './load';
import { ROOT, outDir, startFootfall, type Child, type Footfall } from './proc';
import { dashboardQueries, exploreQueries, filteredQueries, timeQueries, type QueryTiming } from './queries';
import { fmt, round, type Measured } from './util';

/** What the seeded part needs of the bench's run: its log, temp folders and child bookkeeping. */
export interface RunContext {
  log(msg: string): void;
  temp(name: string): string;
  track<T extends Child>(c: T): T;
  stopChild(c: Child): Promise<void>;
}

/**
 * The targets, by the size of the history: the 1M run keeps the figures it always had;
 * from 10M on, every dashboard request (filtered ones included) p50 ≤ 25 and max ≤ 250 ms,
 * explore p50 ≤ 100 and max ≤ 500 ms, and the file ≤ 250 bytes an event.
 */
function targets(events: number) {
  return events >= 10_000_000
    ? { queryMax: 250, filteredP50: 25, filteredMax: 250, exploreP50: 100, exploreMax: 500, bytesPerEvent: 250 }
    : { queryMax: 150, filteredP50: 50, filteredMax: 300, exploreP50: 50, exploreMax: 300, bytesPerEvent: null };
}

/** The file's size over its stored events (the seeder closed it, so the WAL is checkpointed), and what fills it. */
function measureSize(dataDir: string): { bytesPerEvent: number; events: number; fileBytes: number; top: string } {
  const file = join(dataDir, 'footfall.db');
  const db = new Database(file, { readonly: true });
  try {
    const events = db.prepare('SELECT count(*) FROM events').pluck().get() as number;
    const fileBytes = statSync(file).size;
    const rows = db.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC LIMIT 6').all() as Array<{ name: string; bytes: number }>;
    const top = rows.map((r) => `${r.name} ${(r.bytes / events).toFixed(0)}`).join(', ');
    return { bytesPerEvent: fileBytes / events, events, fileBytes, top };
  } finally {
    db.close();
  }
}

/** p50, max and the five slowest of a set of timed queries. */
function summary(timings: QueryTiming[]): { count: number; p50: number; max: number; slowest: string } {
  const all = timings.flatMap((t) => t.ms);
  const slowest = [...timings].sort((x, y) => Math.max(...y.ms) - Math.max(...x.ms)).slice(0, 5);
  return {
    count: timings.length,
    p50: percentile(all, 50),
    max: Math.max(...all),
    slowest: slowest.map((s) => `${s.label} ${Math.max(...s.ms).toFixed(1)} ms`).join('; '),
  };
}

/**
 * The collector's load (`rate` req/s, paced) on the seeded server while the dashboard's
 * requests are made once more: the memory a user's laptop sees when a test site sends and
 * the dashboard is open, on the whole history.
 */
async function loadWhileQuerying(ff: Footfall, rate: number, seconds: number): Promise<{ sent: number; failed: number }> {
  const visitors = new Visitors({ sourceId: ff.source, runId: 'seeded-load' });
  const load = paced({ url: ff.url, path: '/track', rate, seconds, connections: 20, body: () => visitors.next(), onResponse: () => {} });
  const now = Date.now();
  const deadline = performance.now() + seconds * 1000;
  while (performance.now() < deadline) {
    await timeQueries(ff.url, ff.token, [...filteredQueries(now), ...exploreQueries(now)], 1);
  }
  const r = await load.done;
  return { sent: r.sent, failed: r.failed };
}

/** Start-up and every dashboard query on a seeded database of `events` events; its size; memory. */
export async function measureSeeded(ctx: RunContext, a: { events: number; dataDir: string | null }): Promise<Measured & { dataDir: string }> {
  const { log } = ctx;
  const goal = targets(a.events);
  const seeded = a.dataDir ?? ctx.temp('seeded');
  let seedS = 0;
  let seedLine = `the data folder ${seeded} as given`;
  if (a.dataDir === null) {
    log(`seeding ${fmt(a.events)} events (the seeder's own history length for that many)`);
    const s0 = performance.now();
    const seed = spawnSync(process.execPath, [join(outDir(ROOT), 'main', 'seed.js'), '--events', String(a.events), '--data-dir', seeded], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    if (seed.status !== 0) throw new Error(`seeding failed:\n${seed.stdout}\n${seed.stderr}`);
    seedS = (performance.now() - s0) / 1000;
    seedLine = seed.stdout.trim().split('\n').pop() ?? '';
    log(seedLine);
  }
  const size = measureSize(seeded);
  log(`database: ${(size.fileBytes / 2 ** 20).toFixed(0)} MB, ${size.bytesPerEvent.toFixed(0)} bytes an event; bytes an event by table or index: ${size.top}`);

  // Three starts: the database is closed and reopened each time, as a user restarting would.
  const starts: number[] = [];
  let ff: Footfall | null = null;
  for (let i = 0; i < 3; i++) {
    if (ff) await ctx.stopChild(ff.child);
    ff = await startFootfall(ROOT, seeded);
    ctx.track(ff.child);
    starts.push(ff.startupMs);
  }
  const q = ff!;
  log(`start-up on the seeded database: ${starts.map((s) => s.toFixed(0)).join(', ')} ms (the server's own "ready in": ${q.readyMs} ms)`);
  const headers = { authorization: `Bearer ${q.token}` };
  const sampleRes = (await (await fetch(`${q.url}/api/sessions?status=ended&limit=1`, { headers })).json()) as { items: Array<{ id: string; profile: { id: string } }> };
  const sample = sampleRes.items[0];
  if (!sample) throw new Error('the seeded database has no ended session');
  const queries = dashboardQueries(Date.now(), { session: sample.id, profile: sample.profile.id });
  const { p50, max, slowest } = summary(await timeQueries(q.url, q.token, queries, 3));
  log(`${queries.length} dashboard queries × 3: p50 ${p50.toFixed(1)} ms, max ${max.toFixed(1)} ms`);
  const filtered = summary(await timeQueries(q.url, q.token, filteredQueries(Date.now()), 3));
  log(`${filtered.count} filtered stats queries × 3: p50 ${filtered.p50.toFixed(1)} ms, max ${filtered.max.toFixed(1)} ms`);
  const explore = summary(await timeQueries(q.url, q.token, exploreQueries(Date.now()), 3));
  log(`${explore.count} explore queries × 3: p50 ${explore.p50.toFixed(1)} ms, max ${explore.max.toFixed(1)} ms`);
  const LOAD_RATE = 500;
  const LOAD_S = 10;
  const during = await loadWhileQuerying(q, LOAD_RATE, LOAD_S);
  if (during.failed > 0) throw new Error(`collector on the seeded database: ${during.failed} of ${during.sent} requests failed`);
  const rssMb = q.child.peakRssMb();
  log(`collector load (${LOAD_RATE} req/s for ${LOAD_S} s) while the filtered and explore queries ran again: peak resident memory ${rssMb.toFixed(0)} MB`);
  await ctx.stopChild(q.child);
  const startup = Math.max(...starts);
  const bpe = size.bytesPerEvent;
  return {
    fields: {
      query_p50_ms: round(p50, 1),
      query_max_ms: round(max, 1),
      filtered_p50_ms: round(filtered.p50, 1),
      filtered_max_ms: round(filtered.max, 1),
      explore_p50_ms: round(explore.p50, 1),
      explore_max_ms: round(explore.max, 1),
      startup_ms: Math.round(startup),
      seed_s: round(seedS, 1),
      db_bytes_per_event: Math.round(bpe),
    },
    rows: [
      [`query_p50_ms (${queries.length} queries × 3)`, `${round(p50, 1)} ms`, '≤ 25 ms', p50 <= 25],
      ['query_max_ms', `${round(max, 1)} ms`, `≤ ${goal.queryMax} ms`, max <= goal.queryMax],
      [`filtered_p50_ms (${filtered.count} queries × 3)`, `${round(filtered.p50, 1)} ms`, `≤ ${goal.filteredP50} ms`, filtered.p50 <= goal.filteredP50],
      ['filtered_max_ms', `${round(filtered.max, 1)} ms`, `≤ ${goal.filteredMax} ms`, filtered.max <= goal.filteredMax],
      [`explore_p50_ms (${explore.count} queries × 3)`, `${round(explore.p50, 1)} ms`, `≤ ${goal.exploreP50} ms`, explore.p50 <= goal.exploreP50],
      ['explore_max_ms', `${round(explore.max, 1)} ms`, `≤ ${goal.exploreMax} ms`, explore.max <= goal.exploreMax],
      ['startup_ms (slowest of 3)', `${fmt(startup)} ms`, '≤ 1,500 ms', startup <= 1500],
      ['db_bytes_per_event', `${fmt(bpe)} bytes`, goal.bytesPerEvent ? `≤ ${goal.bytesPerEvent} bytes` : '', goal.bytesPerEvent ? bpe <= goal.bytesPerEvent : null],
      ['seed_s', `${round(seedS, 1)} s`, a.events >= 10_000_000 ? '≤ 300 s' : '', a.events >= 10_000_000 && a.dataDir === null ? seedS <= 300 : null],
    ],
    notes: [
      `- Seeded database: ${seedLine} (${seedS.toFixed(1)} s from spawn to exit). Start-ups: ${starts.map((s) => s.toFixed(0)).join(', ')} ms from spawn to the "listening" line (Node's own start included).`,
      `- Size: ${fmt(size.fileBytes / 2 ** 20)} MB for ${fmt(size.events)} stored events, ${bpe.toFixed(0)} bytes an event (the WAL checkpointed). Bytes an event by table or index (dbstat): ${size.top}.`,
      `- Queries: every request the dashboard's views make, for ranges of 1, 7, 30 and 90 days, people only and all traffic, timed from this process over keep-alive HTTP (first runs included). Slowest (max of 3): ${slowest}.`,
      `- Filtered stats: the Overview's requests and the session list under 5 filters (a session dimension, two combined, a negation, an event type, a page with a property), 7 and 90 days. Slowest: ${filtered.slowest}.`,
      `- Explore: funnels of 3-5 steps, paths 4 deep, weekly and daily retention, property breakdowns and lists, 30 and 90 days, plain and under 4 filters. Slowest: ${explore.slowest}.`,
      `- Peak resident memory of the server on the seeded database: ${rssMb.toFixed(0)} MB, after ${LOAD_S} s of collector load at ${LOAD_RATE} req/s (${fmt(during.sent)} requests, every answer 200) while the filtered and explore queries ran again.`,
    ],
    rssMb,
    dataDir: seeded,
  };
}
