/**
 * Run by bench/plan-overhead.ts (built, as the engine runs): what checking events against a
 * tracking plan costs the engine, without HTTP (which the full benchmark's
 * `track_rps_with_plan` includes): the same visitors' requests parsed and tracked by two
 * engines in this process, one with bench/plan.ts's 20-type plan, in alternating rounds.
 * A quick, quiet-machine-friendly check while working; `npm run bench` is the measure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../engine/clock';
import { openDatabase } from '../engine/db/database';
import { readPlan } from '../engine/plan/doc';
import { SessionEngine } from '../engine/sessions/engine';
import { ensureDefaultSource } from '../engine/store/sources';
import { parseTrackPayload } from '../shared/track';
import { BENCH_PLAN } from './plan';
import { Visitors } from './payload';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const rounds = arg('--rounds', 3);
const requests = arg('--requests', 20_000);
const inFlight = 100;

function engine(dir: string, withPlan: boolean) {
  const db = openDatabase(dir);
  const source = ensureDefaultSource(db, Date.now()).id;
  const e = new SessionEngine({ db, clock: systemClock, sessionTimeoutMs: 1800_000 });
  if (withPlan) e.setPlan(readPlan(BENCH_PLAN).compiled);
  return { db, e, source, visitors: new Visitors({ sourceId: source, runId: withPlan ? 'plan' : 'plain' }) };
}

type Rig = ReturnType<typeof engine>;

/** CPU time of this process per request in each round, µs: steadier than throughput on a shared machine. */
const cpu: Record<'plain' | 'plan', number[]> = { plain: [], plan: [] };

/** `requests` requests, `inFlight` at a time, each parsed as the collector parses it; answers requests a second. */
async function round(r: Rig, name: 'plain' | 'plan'): Promise<number> {
  let sent = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const worker = async () => {
    while (sent < requests) {
      sent++;
      const { body, userAgent } = r.visitors.next();
      const parsed = parseTrackPayload(JSON.parse(body));
      if (!parsed.ok) throw new Error(parsed.detail);
      await r.e.track(parsed.payload, { userAgent });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const c = process.cpuUsage(c0);
  cpu[name].push((c.user + c.system) / requests);
  return requests / ((performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
  const dirs = [mkdtempSync(join(tmpdir(), 'ff-plain-')), mkdtempSync(join(tmpdir(), 'ff-plan-'))];
  const plain = engine(dirs[0]!, false);
  const plan = engine(dirs[1]!, true);
  try {
    await round(plain, 'plain');
    await round(plan, 'plan');
    cpu.plain.length = cpu.plan.length = 0;
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < rounds; i++) {
      a.push(await round(plain, 'plain'));
      b.push(await round(plan, 'plan'));
      console.log(`round ${i + 1}: plain ${a[i]!.toFixed(0)} req/s (${cpu.plain[i]!.toFixed(0)} µs CPU each), with the plan ${b[i]!.toFixed(0)} req/s (${cpu.plan[i]!.toFixed(0)} µs)`);
    }
    const counts = plan.db.prepare('SELECT status, count(*) AS n FROM event_validation GROUP BY status').all() as Array<{ status: number; n: number }>;
    const total = counts.reduce((s, c) => s + c.n, 0);
    const share = (code: number) => ((counts.find((c) => c.status === code)?.n ?? 0) / total) * 100;
    const best = (xs: number[]) => Math.max(...xs);
    const least = (xs: number[]) => Math.min(...xs);
    console.log(`least CPU per request: plain ${least(cpu.plain).toFixed(1)} µs, with the plan ${least(cpu.plan).toFixed(1)} µs (+${(least(cpu.plan) - least(cpu.plain)).toFixed(1)} µs)`);
    console.log(`best: plain ${best(a).toFixed(0)}, with the plan ${best(b).toFixed(0)} req/s: ratio ${(best(b) / best(a)).toFixed(3)}`);
    console.log(`verdicts of ${total} events: ${share(0).toFixed(1)} % valid, ${share(1).toFixed(1)} % invalid, ${share(2).toFixed(1)} % unplanned`);
  } finally {
    for (const r of [plain, plan]) {
      await r.e.close();
      r.db.close();
    }
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

void main();
