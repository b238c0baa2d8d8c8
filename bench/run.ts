/**
 * `npm run bench -- [--json] [--soak] [--events N] [--duration S] [--connections C] [--rounds R] [--batch-connections C] [--only PARTS] [--data-dir DIR]`
 *
 * Footfall's benchmark, beside the limits of the machine it runs on (see bench/DESIGN.md):
 * the built headless server in a child process, loaded from this process with autocannon;
 * a bare node:http server and a bare better-sqlite3 loop as the ceilings; the sweeper on
 * 100,000 expired sessions while the collector answers; every dashboard query on a seeded
 * database of 1,000,000 events (`--events N`: another size; bench/seeded.ts), its bytes an event; start-up time on that database; peak memory.
 *
 * Prints a table; `--json` adds one JSON object as the last line. Writes bench/RESULTS.md.
 * `--soak`: 60 s of steady load at half the collector's throughput instead (issue 7).
 */
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { cpus, release, totalmem } from 'node:os';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildHelpers } from './build';
import { load, loadProblem, okPerSecond, percentile } from './load';
import { paced } from './pace';
import { writeBenchPlan } from './plan';
import { Visitors } from './payload';
import { ROOT, cpuMs, outDir, startChild, startFootfall, type Child, type Footfall } from './proc';
import { measureSeeded } from './seeded';
import { fmt, round, type Measured } from './util';
import type { SweepReport } from './sweep-server';
import { measureRetention } from './retention';

interface Args {
  json: boolean;
  soak: boolean;
  events: number;
  duration: number;
  connections: number;
  rounds: number;
  /** Connections of the 100-events-a-request run. */
  batchConnections: number;
  only: Part[];
  /** A seeded data folder to time the queries on instead of seeding one (used as it is: pass a copy). */
  dataDir: string | null;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { json: false, soak: false, events: 1_000_000, duration: 5, connections: 100, rounds: 2, batchConnections: 20, only: [...PARTS], dataDir: null };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const num = () => {
      const v = Number(argv[++i]);
      if (!(v > 0)) throw new Error(`${flag} needs a number above 0`);
      return v;
    };
    if (flag === '--json') a.json = true;
    else if (flag === '--soak') a.soak = true;
    else if (flag === '--events') a.events = Math.floor(num());
    else if (flag === '--duration') a.duration = num();
    else if (flag === '--connections') a.connections = Math.floor(num());
    else if (flag === '--rounds') a.rounds = Math.floor(num());
    else if (flag === '--batch-connections') a.batchConnections = Math.floor(num());
    else if (flag === '--data-dir') a.dataDir = argv[++i] ?? null;
    else if (flag === '--only') {
      const list = (argv[++i] ?? '').split(',') as Part[];
      const bad = list.filter((p) => !PARTS.includes(p) && p !== 'retention');
      if (bad.length > 0 || list.length === 0) throw new Error(`--only takes a comma-separated list of ${PARTS.join(', ')}, retention`);
      a.only = list;
    }
    else throw new Error(`Unknown option ${flag}. Usage: npm run bench -- [--json] [--soak] [--events N] [--duration S] [--connections C] [--rounds R] [--batch-connections C] [--only queries,throughput,sqlite,sweep] [--data-dir DIR]`);
  }
  return a;
}

const started = performance.now();
const log = (msg: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${msg}\n`);
const children = new Set<Child>();
const temps: string[] = [];

function temp(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `footfall-bench-${name}-`));
  temps.push(dir);
  return dir;
}

function track<T extends Child>(c: T): T {
  children.add(c);
  return c;
}

async function stopChild(c: Child): Promise<void> {
  children.delete(c);
  await c.stop();
}

function cleanup(): void {
  for (const c of children) c.proc.kill('SIGKILL');
  for (const d of temps) rmSync(d, { recursive: true, force: true });
}

/** Builds the app (if its sources changed) and the benchmark's helpers. */
async function build(): Promise<string> {
  const out = outDir(ROOT);
  const custom = process.env.FOOTFALL_OUT_DIR !== undefined;
  // The default folder has a freshness check; a custom one (parallel work) is built every time.
  const npm = process.env.npm_execpath;
  const io = { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] as ['ignore', 'ignore', 'inherit'] };
  const r = !custom
    ? spawnSync(process.execPath, [join(ROOT, 'scripts/build-if-needed.mjs')], io)
    : npm
      ? spawnSync(process.execPath, [npm, 'run', '--silent', 'build'], io)
      : spawnSync('npm', ['run', '--silent', 'build'], io);
  if (r.status !== 0 || !existsSync(join(out, 'main', 'serve.js'))) throw new Error('The build failed; run `npm run build` to see why.');
  return buildHelpers({ 'sweep-server': 'bench/sweep-server.ts', 'sqlite-baseline': 'bench/sqlite-baseline.ts', 'retention-server': 'bench/retention-server.ts' });
}

interface Throughput {
  rps: number;
  serverCpuUsPerReq: number;
  loadCpuUsPerReq: number;
  p50: number;
  p99: number;
}

/** A warm-up second, then `seconds` of load as fast as the server answers; every answer must be 2xx. */
async function saturate(name: string, url: string, pid: number | undefined, connections: number, seconds: number, body: () => { body: string; userAgent: string }): Promise<Throughput> {
  await load({ url, path: '/track', connections, duration: 1, body });
  const c0 = cpuMs(pid);
  const me0 = process.cpuUsage();
  const r = await load({ url, path: '/track', connections, duration: seconds, body });
  const c1 = cpuMs(pid);
  const me = process.cpuUsage(me0);
  const problem = loadProblem(r);
  if (problem) throw new Error(`${name}: ${problem}`);
  const t: Throughput = {
    rps: okPerSecond(r),
    serverCpuUsPerReq: ((c1 - c0) * 1000) / r['2xx'],
    loadCpuUsPerReq: (me.user + me.system) / r['2xx'],
    p50: r.latency.p50,
    p99: r.latency.p99,
  };
  log(`${name}: ${t.rps.toFixed(0)} req/s (server ${t.serverCpuUsPerReq.toFixed(0)} µs CPU/req, load tool ${t.loadCpuUsPerReq.toFixed(0)} µs/req, p99 ${t.p99} ms)`);
  return t;
}

const best = (xs: Throughput[]): Throughput => xs.reduce((a, b) => (b.rps > a.rps ? b : a));

function machine(): string {
  const c = cpus();
  return `${c.length} × ${c[0]?.model.trim() ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB RAM, Linux ${release()}, Node ${process.versions.node}`;
}

/** `retention` runs on the 10M seed of a full run, else only when asked for (`--only retention --data-dir SEEDED`: a 365-day seed, copied). */
type Part = 'queries' | 'throughput' | 'sqlite' | 'sweep' | 'retention';
const PARTS: readonly Part[] = ['queries', 'throughput', 'sqlite', 'sweep'];

/** The collector (1 event and 100 events a request) beside a bare node:http server, same load. */
async function measureThroughput(a: Args): Promise<Measured> {
  const base = track(startChild(['--import', 'tsx', join(ROOT, 'bench', 'baseline-server.ts')]));
  const baseUrl = (await base.waitFor(/listening on (\S+)/))[1]!;
  // FOOTFALL_BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=DIR' profiles the collector under this load.
  const collector = await startFootfall(ROOT, temp('collector'), [], process.env.FOOTFALL_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []);
  track(collector.child);
  // The same collector with one upstream: a stand-in ClickHouse that accepts everything
  // (FOOTFALL_BENCH_FORWARD=URL forwards to a real one instead).
  const sink = process.env.FOOTFALL_BENCH_FORWARD ? null : track(startChild(['--import', 'tsx', join(ROOT, 'bench', 'forward-sink.ts')]));
  const sinkUrl = sink ? (await sink.waitFor(/listening on (\S+)/))[1]! : null;
  const upstream = process.env.FOOTFALL_BENCH_FORWARD ?? `clickhouse+http://${new URL(sinkUrl!).host}/bench`;
  const forwarding = await startFootfall(ROOT, temp('forwarding'), ['--forward', upstream]);
  track(forwarding.child);
  // The same collector with a tracking plan of 20 types that a third of these events break (bench/plan.ts).
  const planned = await startFootfall(ROOT, temp('plan'), ['--plan', writeBenchPlan(temp('plan-file'))]);
  track(planned.child);
  const baseVisitors = new Visitors({ sourceId: collector.source, runId: 'base' });
  const visitors = new Visitors({ sourceId: collector.source, runId: 'track' });
  const forwardVisitors = new Visitors({ sourceId: forwarding.source, runId: 'forward' });
  const planVisitors = new Visitors({ sourceId: planned.source, runId: 'plan' });
  const baseRuns: Throughput[] = [];
  const trackRuns: Throughput[] = [];
  const forwardRuns: Throughput[] = [];
  const planRuns: Throughput[] = [];
  for (let r = 0; r < a.rounds; r++) {
    baseRuns.push(await saturate('node:http baseline', baseUrl, base.proc.pid, a.connections, a.duration, () => baseVisitors.next()));
    trackRuns.push(await saturate('collector, 1 event a request', collector.url, collector.child.proc.pid, a.connections, a.duration, () => visitors.next()));
    forwardRuns.push(await saturate('collector forwarding to one upstream', forwarding.url, forwarding.child.proc.pid, a.connections, a.duration, () => forwardVisitors.next()));
    planRuns.push(await saturate('collector with a 20-type tracking plan', planned.url, planned.child.proc.pid, a.connections, a.duration, () => planVisitors.next()));
  }
  const verdicts = await planVerdicts(planned);
  await stopChild(planned.child);
  await stopChild(base);
  const lag = await forwardingLag(forwarding);
  await stopChild(forwarding.child);
  if (sink) await stopChild(sink);
  // Fewer connections here: 100 of them with 100 events each put 10,000 events in every
  // group commit, which measures queueing (p99 ~3 s, +60 MB) rather than throughput (-5%).
  const batch = await saturate('collector, 100 events a request', collector.url, collector.child.proc.pid, a.batchConnections, a.duration, () => visitors.nextBatch(100));
  const rssMb = collector.child.peakRssMb();
  await stopChild(collector.child);
  const t = best(trackRuns);
  const b = best(baseRuns);
  const fw = best(forwardRuns);
  const pl = best(planRuns);
  const planRatio = pl.rps / t.rps;
  // Judged unrounded: 0.596 is not 0.6.
  const ratio = t.rps / b.rps;
  const forwardRatio = fw.rps / t.rps;
  return {
    fields: {
      track_rps: Math.round(t.rps),
      baseline_rps: Math.round(b.rps),
      track_ratio: round(ratio, 3),
      track_rps_forward: Math.round(fw.rps),
      forward_ratio: round(forwardRatio, 3),
      track_rps_with_plan: Math.round(pl.rps),
      plan_ratio: round(planRatio, 3),
      batch_events_per_s: Math.round(batch.rps * 100),
    },
    rows: [
      ['track_rps (1 event a request)', `${fmt(t.rps)} req/s`, `≥ 0.6 × baseline_rps (${ratio.toFixed(3)}×)`, ratio >= 0.6],
      ['track_rps_forward (one upstream)', `${fmt(fw.rps)} req/s`, `≥ 0.9 × track_rps (${forwardRatio.toFixed(3)}×)`, forwardRatio >= 0.9],
      ['track_rps_with_plan (20-type plan)', `${fmt(pl.rps)} req/s`, `≥ 0.9 × track_rps (${planRatio.toFixed(3)}×)`, planRatio >= 0.9],
      ['baseline_rps (bare node:http)', `${fmt(b.rps)} req/s`, '', null],
      ['batch_events_per_s (100 a request)', `${fmt(batch.rps * 100)} events/s`, '≥ 0.6 × sqlite baseline', null],
    ],
    notes: [
      `- Throughput: best of ${a.rounds} alternating rounds of ${a.duration} s each (each after 1 s of warm-up), ${a.connections} keep-alive connections, one request in flight on each, ~1.3 KB tracker payloads over ~4,000 concurrent visits (a new session every ~6 requests). Every answer 200, after its commit.`,
      `  node:http rounds: ${baseRuns.map((r) => fmt(r.rps)).join(', ')} req/s; collector rounds: ${trackRuns.map((r) => fmt(r.rps)).join(', ')} req/s.`,
      `  CPU per request, server / load tool: node:http ${b.serverCpuUsPerReq.toFixed(0)} / ${b.loadCpuUsPerReq.toFixed(0)} µs; collector ${t.serverCpuUsPerReq.toFixed(0)} / ${t.loadCpuUsPerReq.toFixed(0)} µs; batches ${(batch.serverCpuUsPerReq / 100).toFixed(1)} µs per event.`,
      `  Forwarding: the same load on a second collector started with \`--forward ${process.env.FOOTFALL_BENCH_FORWARD ? 'FOOTFALL_BENCH_FORWARD' : 'clickhouse+http://…'}\` (${sink ? 'a stand-in ClickHouse that accepts every insert, bench/forward-sink.ts' : 'the upstream FOOTFALL_BENCH_FORWARD names'}); rounds ${forwardRuns.map((r) => fmt(r.rps)).join(', ')} req/s, ${fw.serverCpuUsPerReq.toFixed(0)} µs CPU/req, p99 ${fw.p99} ms. ${lag}`,
      `  Tracking plan: the same load on a third collector started with \`--plan\` (bench/plan.ts: 20 event types, 14 of which never arrive); rounds ${planRuns.map((r) => fmt(r.rps)).join(', ')} req/s, ${pl.serverCpuUsPerReq.toFixed(0)} µs CPU/req, p99 ${pl.p99} ms. ${verdicts}`,
      `  Collector latency p50 ${t.p50} ms, p99 ${t.p99} ms; 100-event requests (${a.batchConnections} connections, so ${fmt(a.batchConnections * 100)} events in flight) p50 ${batch.p50} ms, p99 ${batch.p99} ms. Peak resident memory of the collector: ${rssMb.toFixed(0)} MB.`,
    ],
    rssMb,
  };
}

/** After the load: what share of the plan collector's tracked events broke the plan. */
async function planVerdicts(ff: Footfall): Promise<string> {
  const r = await fetch(`${ff.url}/api/summary`, { headers: { authorization: `Bearer ${ff.token}` } });
  const s = (await r.json()) as { events: { byType: Record<string, number> }; invalid: number; unplanned: number };
  const own = new Set(['visit-started', 'visit-ended', 'profile-created']);
  const tracked = Object.entries(s.events.byType).reduce((n, [type, c]) => n + (own.has(type) ? 0 : c), 0);
  const share = tracked === 0 ? 0 : (s.invalid / tracked) * 100;
  log(`tracking plan: ${fmt(s.invalid)} of ${fmt(tracked)} tracked events invalid (${share.toFixed(1)} %), ${fmt(s.unplanned)} unplanned`);
  return `${fmt(s.invalid)} of the ${fmt(tracked)} events it stored were invalid (${share.toFixed(1)} %), ${fmt(s.unplanned)} unplanned.`;
}

/** After the load: how long the forwarder took to send what was still pending, and how much it sent. */
async function forwardingLag(ff: Footfall): Promise<string> {
  const t0 = performance.now();
  const status = async () => {
    const r = await fetch(`${ff.url}/api/forwarding`, { headers: { authorization: `Bearer ${ff.token}` } });
    return ((await r.json()) as { upstreams: Array<{ forwarded: number; pending: number; lastError: string | null }> }).upstreams[0]!;
  };
  let s = await status();
  const pendingAtEnd = s.pending;
  while (s.pending > 0 && performance.now() - t0 < 60_000) {
    await new Promise((r) => setTimeout(r, 100));
    s = await status();
  }
  if (s.pending > 0) throw new Error(`forwarding did not catch up within 60 s after the load: ${s.pending} events pending (${s.lastError ?? 'no error'})`);
  const ms = performance.now() - t0;
  log(`forwarding: ${fmt(s.forwarded)} events forwarded; ${fmt(pendingAtEnd)} were pending when the load stopped, sent within ${ms.toFixed(0)} ms`);
  return `${fmt(s.forwarded)} events forwarded in all; ${fmt(pendingAtEnd)} were pending when the load stopped, all sent ${ms.toFixed(0)} ms later.`;
}

/** The bare better-sqlite3 loop (a child process). */
function measureSqlite(a: Args, helpers: string): Measured {
  const sq = spawnSync(process.execPath, [join(helpers, 'sqlite-baseline.js'), temp('sqlite'), String(a.duration)], { cwd: ROOT, encoding: 'utf8' });
  if (sq.status !== 0) throw new Error(`sqlite baseline failed:\n${sq.stderr}`);
  const r = JSON.parse(sq.stdout.trim().split('\n').pop()!) as { eventsPerSecond: number };
  log(`bare better-sqlite3, 100-event transactions: ${r.eventsPerSecond.toFixed(0)} events/s`);
  return {
    fields: { sqlite_baseline_events_per_s: Math.round(r.eventsPerSecond) },
    rows: [['sqlite_baseline_events_per_s', `${fmt(r.eventsPerSecond)} events/s`, '', null]],
    notes: [],
  };
}

/** A Server-Sent Events client of `GET /api/live` that counts what it is sent. */
function openLive(url: string, token: string): { stop(): { messages: number; bytes: number } } {
  let messages = 0;
  let bytes = 0;
  // The end of the last chunk, so a message end split between two chunks counts once.
  let tail = '';
  const req = request(`${url}/api/live`, { headers: { authorization: `Bearer ${token}` } }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      bytes += Buffer.byteLength(chunk);
      const text = tail + chunk;
      for (let i = text.indexOf('\ndata: '); i >= 0; i = text.indexOf('\ndata: ', i + 1)) messages++;
      tail = text.slice(-6);
    });
  });
  req.on('error', () => {});
  req.end();
  return {
    stop() {
      req.destroy();
      return { messages, bytes };
    },
  };
}

/** 100,000 expired sessions ended while the collector answers 1,000 requests a second. */
async function measureSweep(helpers: string): Promise<Measured> {
  log('preparing 100,000 active sessions for the sweep');
  const sw = track(startChild([join(helpers, 'sweep-server.js'), temp('sweep'), '100000'], { ipc: true }));
  const swm = await sw.waitFor(/listening on (\S+) source (\S+) token (\S+)/, 180_000);
  // FOOTFALL_BENCH_LIVE=1: the Live view is open during the sweep (a Server-Sent Events client in this process).
  const live = process.env.FOOTFALL_BENCH_LIVE === '1' ? openLive(swm[1]!, swm[3]!) : null;
  const sweepVisitors = new Visitors({ sourceId: swm[2]!, runId: 'sweep-load' });
  const during: Array<[due: number, ms: number]> = [];
  const probeRate = 1000;
  const loadStart = performance.now();
  const probe = paced({
    url: swm[1]!,
    path: '/track',
    rate: probeRate,
    seconds: 300,
    connections: 100,
    body: () => sweepVisitors.next(),
    onResponse: (due, ms) => during.push([due, ms]),
  });
  await new Promise((r) => setTimeout(r, 1500));
  const sweepStart = performance.now() - loadStart;
  const report = await new Promise<SweepReport>((resolve) => {
    sw.proc.once('message', (m) => resolve(m as SweepReport));
    sw.proc.send('sweep');
  });
  const sweepEnd = performance.now() - loadStart;
  await new Promise((r) => setTimeout(r, 500));
  probe.stop();
  const probeResult = await probe.done;
  if (probeResult.failed > 0) throw new Error(`collector during the sweep: ${probeResult.failed} of ${probeResult.sent} requests failed`);
  // Requests due while the sweep ran (latency counted from when each was due).
  const inSweep = during.filter(([due]) => due >= sweepStart && due <= sweepEnd).map(([, ms]) => ms);
  const p99 = percentile(inSweep, 99);
  const maxLat = Math.max(...inSweep);
  log(
    `sweep: ended ${report.ended} in ${report.sweepMs.toFixed(0)} ms; longest event-loop stall ${report.loopMaxMs.toFixed(1)} ms; ` +
      `${report.transactions} transactions, median ${report.txMedianMs.toFixed(1)} ms, longest ${report.txMaxMs.toFixed(1)} ms (COMMIT ${report.txMaxCommitMs.toFixed(1)} ms), all together ${report.txTotalMs.toFixed(0)} ms (COMMITs ${report.txCommitTotalMs.toFixed(0)} ms); collector p99 ${p99.toFixed(0)} ms`,
  );
  if (live) {
    const l = live.stop();
    log(`live stream open during the sweep: ${fmt(l.messages)} messages, ${(l.bytes / 1e6).toFixed(1)} MB`);
  }
  if (report.ended < 100_000) throw new Error(`the sweep ended ${report.ended} sessions, not 100,000`);
  await stopChild(sw);
  return {
    fields: { sweep_100k_ms: Math.round(report.sweepMs), sweep_max_block_ms: round(report.loopMaxMs, 1) },
    rows: [
      ['sweep_100k_ms', `${fmt(report.sweepMs)} ms`, '≤ 1,000 ms', report.sweepMs <= 1000],
      ['sweep_max_block_ms', `${round(report.loopMaxMs, 1)} ms`, '≤ 50 ms', report.loopMaxMs <= 50],
    ],
    notes: [
      `- Sweep: ${fmt(report.ended)} sessions, each one page view, ended by the real sweeper (chunked transactions, time-budgeted slices) while the collector was sent ${probeRate} req/s (evenly paced, open loop); the longest event-loop stall is the largest delay of a 1 ms timer in the server meanwhile (the sweeper's own longest slice: ${report.sliceMaxMs.toFixed(1)} ms; ${fmt(report.transactions)} write transactions meanwhile, median ${report.txMedianMs.toFixed(1)} ms, longest ${report.txMaxMs.toFixed(1)} ms of which ${report.txMaxCommitMs.toFixed(1)} ms in COMMIT; all of them together ${fmt(Math.round(report.txTotalMs))} ms, of which ${fmt(Math.round(report.txCommitTotalMs))} ms in COMMIT). Requests due during the sweep: ${inSweep.length}, latency from when each was due p99 ${p99.toFixed(0)} ms, max ${maxLat.toFixed(0)} ms; every answer 200.`,
    ],
  };
}

async function runMain(a: Args, only: readonly Part[]): Promise<void> {
  const t0 = performance.now();
  log('building');
  const helpers = await build();
  const parts: Measured[] = [];
  const seeded = only.includes('queries') ? await measureSeeded({ log, temp, track, stopChild }, a) : null;
  if (seeded) parts.push(seeded);
  const thr = only.includes('throughput') ? await measureThroughput(a) : null;
  const sql = only.includes('sqlite') ? measureSqlite(a, helpers) : null;
  if (thr) parts.push(thr);
  if (sql) parts.push(sql);
  if (thr && sql) {
    const ratio = thr.fields.batch_events_per_s! / sql.fields.sqlite_baseline_events_per_s!;
    thr.fields.batch_ratio = round(ratio, 3);
    const at = thr.rows.findIndex(([m]) => m.startsWith('batch_events_per_s'));
    thr.rows[at] = ['batch_events_per_s (100 a request)', `${fmt(thr.fields.batch_events_per_s!)} events/s`, `≥ 0.6 × sqlite baseline (${ratio.toFixed(3)}×)`, ratio >= 0.6];
  }
  if (only.includes('sweep')) parts.push(await measureSweep(helpers));
  // Retention deletes the oldest month of a year's history: on the 10M seed (a year long) it
  // runs in the same run, after the queries; otherwise only when asked for, on a given seed.
  if (seeded && a.events >= 10_000_000 && a.dataDir === null) parts.push(await measureRetention({ helpers, seeded: seeded.dataDir, log }));
  else if (only.includes('retention')) {
    if (a.dataDir === null) throw new Error('--only retention needs --data-dir SEEDED (seed --days 365; it is copied, not changed)');
    parts.push(await measureRetention({ helpers, seeded: a.dataDir, log }));
  }
  const rss = Math.max(...parts.map((p) => p.rssMb ?? 0));
  const fields: Record<string, number> = Object.assign({}, ...parts.map((p) => p.fields));
  const rows = parts.flatMap((p) => p.rows);
  if (rss > 0) {
    fields.rss_mb = Math.round(rss);
    rows.push(['rss_mb (peak)', `${Math.round(rss)} MB`, '≤ 300 MB', rss <= 300]);
  }
  const totalS = (performance.now() - t0) / 1000;
  const table = [
    '| metric | value | target | met |',
    '|---|---:|---|:-:|',
    ...rows.map(([m, v, t, ok]) => `| ${m} | ${v} | ${t} | ${ok === null ? '' : ok ? 'yes' : '**no**'} |`),
  ].join('\n');
  const notes = [...parts.flatMap((p) => p.notes), `- Whole run: ${totalS.toFixed(0)} s.`].join('\n');
  const stamp = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine()}`;
  console.log(`\nFootfall benchmark, ${stamp}\n\n${table}\n\n${notes}\n`);
  // A full run at ten million events keeps its own section, so the default run's stays beside it.
  const large = a.events >= 10_000_000;
  const title = large ? `## Benchmark at ${fmt(a.events)} events (\`npm run bench -- --events ${a.events}\`)` : '## Benchmark (`npm run bench`)';
  if (only.length === PARTS.length) writeSection(large ? 'large' : 'main', `${title}\n\n${stamp}\n\n${table}\n\n${notes}\n`);
  if (a.json) console.log(JSON.stringify({ ...fields, date: new Date().toISOString(), machine: machine(), seconds: Math.round(totalS) }));
}

// ---- soak -------------------------------------------------------------------------------

async function runSoak(a: Args): Promise<void> {
  log('building');
  await build();
  const ff = await startFootfall(ROOT, temp('soak'));
  track(ff.child);
  const visitors = new Visitors({ sourceId: ff.source, runId: 'soak' });
  const cap = await saturate('collector capacity', ff.url, ff.child.proc.pid, a.connections, a.duration, () => visitors.next());
  const rate = Math.round(cap.rps / 2);
  const SECONDS = 60;
  log(`soak: ${SECONDS} s at ${rate} req/s, evenly paced`);
  const lat: Array<[due: number, ms: number]> = [];
  let rss10 = Number.NaN;
  const timer = setTimeout(() => {
    rss10 = ff.child.rssMb();
  }, 10_000);
  const r = await paced({
    url: ff.url,
    path: '/track',
    rate,
    seconds: SECONDS,
    connections: a.connections,
    body: () => visitors.next(),
    onResponse: (due, ms) => lat.push([due, ms]),
  }).done;
  clearTimeout(timer);
  const rssEnd = ff.child.rssMb();
  const peak = ff.child.peakRssMb();
  await stopChild(ff.child);
  const problem = r.failed > 0 ? `${r.failed} of ${r.sent} requests failed or were refused` : null;
  const first = lat.filter(([t]) => t < 10_000).map(([, ms]) => ms);
  const last = lat.filter(([t]) => t >= (SECONDS - 10) * 1000).map(([, ms]) => ms);
  const soak = {
    soak_rate_rps: rate,
    soak_answered: r.ok,
    soak_p50_ms_first_10s: round(percentile(first, 50), 1),
    soak_p99_ms_first_10s: round(percentile(first, 99), 1),
    soak_p50_ms_last_10s: round(percentile(last, 50), 1),
    soak_p99_ms_last_10s: round(percentile(last, 99), 1),
    soak_rss_mb_10s: Math.round(rss10),
    soak_rss_mb_end: Math.round(rssEnd),
    soak_rss_mb_peak: Math.round(peak),
    soak_errors: problem,
  };
  const table = [
    '| | first 10 s | last 10 s (to 60 s) |',
    '|---|---:|---:|',
    `| latency p50 | ${soak.soak_p50_ms_first_10s} ms | ${soak.soak_p50_ms_last_10s} ms |`,
    `| latency p99 | ${soak.soak_p99_ms_first_10s} ms | ${soak.soak_p99_ms_last_10s} ms |`,
    `| resident memory | ${soak.soak_rss_mb_10s} MB (at 10 s) | ${soak.soak_rss_mb_end} MB (at 60 s; peak ${soak.soak_rss_mb_peak} MB) |`,
  ].join('\n');
  const stamp = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine()}`;
  const note = `${SECONDS} s at ${fmt(rate)} req/s (half of the ${fmt(Math.round(cap.rps))} req/s measured just before), sent evenly every 5 ms over up to ${a.connections} keep-alive connections; latency counts from when each request was due. ${fmt(r.ok)} of ${fmt(r.sent)} answered 200${problem ? `; ${problem}` : ''}.`;
  console.log(`\nFootfall soak, ${stamp}\n\n${note}\n\n${table}\n`);
  writeSection('soak', `## Soak (\`npm run bench -- --soak\`)\n\n${stamp}\n\n${note}\n\n${table}\n`);
  if (a.json) console.log(JSON.stringify({ ...soak, date: new Date().toISOString(), machine: machine() }));
}

// ---- output -------------------------------------------------------------------------------

/** Replaces one marked section of bench/RESULTS.md (main run or soak), keeping the other. */
function writeSection(name: 'main' | 'large' | 'soak', body: string): void {
  const file = join(ROOT, 'bench', 'RESULTS.md');
  const begin = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  let text = existsSync(file)
    ? readFileSync(file, 'utf8')
    : '# Benchmark results\n\nWritten by `npm run bench` (and `npm run bench -- --soak`); see DESIGN.md for what is measured and how.\n\n<!-- bench:main -->\n<!-- /bench:main -->\n\n<!-- bench:soak -->\n<!-- /bench:soak -->\n';
  const block = `${begin}\n${body}${end}`;
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  text = i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, text);
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    if (a.soak) await runSoak(a);
    else await runMain(a, a.only);
  } finally {
    for (const c of [...children]) await stopChild(c);
    cleanup();
  }
}

main().catch((err: unknown) => {
  console.error(`Benchmark failed: ${err instanceof Error ? err.message : String(err)}`);
  cleanup();
  process.exit(1);
});
