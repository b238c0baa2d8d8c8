import { spawn, spawnSync } from 'node:child_process';
import { request, Agent } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** Tools for the process-level reliability tests: the CLI, a load generator, database checks. */

export const SERVE_JS = join(process.env.FOOTFALL_OUT_DIR ?? 'out', 'main/serve.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI to its end (it is expected to refuse to start). */
export function runCli(args: string[], timeoutMs = 15_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [SERVE_JS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`footfall ${args.join(' ')} still running after ${timeoutMs} ms (it should have refused to start):\n${stdout}${stderr}`));
    }, timeoutMs);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface Answer {
  status: number;
  body: string;
}

export function post(url: string, path: string, body: string, agent?: Agent, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const u = new URL(path, url);
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (data += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: data }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export function get(url: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const u = new URL(path, url);
    const req = request({ host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, headers }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: data }));
    });
    req.on('error', reject);
    req.end();
  });
}

export interface SentRequest {
  body: string;
  session: string;
  eventIds: string[];
}

export interface LoadRun {
  /** Event id → the session id it was sent with, for every request answered 200. */
  acked: Map<string, string>;
  /** Requests that got no answer, or a refusal (a tracker would retry these). */
  unanswered: SentRequest[];
  statuses: Map<number | string, number>;
  requests: number;
  /** Requests sent but not answered when `stop` was called. */
  inFlightAtStop: number;
  /** 200s that arrived after `stop` was called. */
  answeredAfterStop: number;
}

export interface LoadOptions {
  url: string;
  source: string;
  /** Sessions to spread the load over; each worker sends to its own share. */
  sessions: string[];
  workers: number;
  /** Prefix of the client-chosen event ids (unique per run). */
  prefix: string;
}

/**
 * Sustained load: `workers` loops, each with a request always in flight over keep-alive,
 * 1-5 events a request with client-chosen ids. `stop()` marks the moment the process is
 * killed or signalled; the loops end once the server stops answering.
 */
export function startLoad(opts: LoadOptions): { stop(): void; done: Promise<LoadRun> } {
  const run: LoadRun = { acked: new Map(), unanswered: [], statuses: new Map(), requests: 0, inFlightAtStop: 0, answeredAfterStop: 0 };
  let stopped = false;
  let inFlight = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: opts.workers });
  const count = (k: number | string) => run.statuses.set(k, (run.statuses.get(k) ?? 0) + 1);
  const worker = async (w: number) => {
    const mine = opts.sessions.filter((_, i) => i % opts.workers === w);
    let seq = 0;
    let failures = 0;
    // After stop, keep going until the server refuses twice in a row (it is gone or closing).
    while (!stopped || failures < 2) {
      const session = mine[seq % mine.length]!;
      const n = 1 + (seq % 5);
      const eventIds = Array.from({ length: n }, (_, k) => `${opts.prefix}-w${w}-${seq}-${k}`);
      const events = eventIds.map((id, k) => ({ id, type: k === 0 ? 'page-view' : 'click', context: { page: { url: `https://shop.test/p/${seq % 7}` } }, properties: { seq, k } }));
      const body = JSON.stringify({ source: { id: opts.source }, session: { id: session }, profile: { id: `P-${session}` }, events });
      const sent: SentRequest = { body, session, eventIds };
      seq++;
      run.requests++;
      inFlight++;
      try {
        const r = await post(opts.url, '/track', body, agent);
        count(r.status);
        if (r.status === 200) {
          failures = 0;
          if (stopped) run.answeredAfterStop++;
          for (const id of eventIds) run.acked.set(id, session);
        } else {
          failures++;
          run.unanswered.push(sent);
        }
      } catch (err) {
        count((err as NodeJS.ErrnoException).code ?? 'error');
        failures++;
        run.unanswered.push(sent);
        if (!stopped) await new Promise((r) => setTimeout(r, 5));
      } finally {
        inFlight--;
      }
    }
  };
  const done = Promise.all(Array.from({ length: opts.workers }, (_, w) => worker(w))).then(() => {
    agent.destroy();
    return run;
  });
  return {
    stop() {
      run.inFlightAtStop = inFlight;
      stopped = true;
    },
    done,
  };
}

/**
 * What must hold in any Footfall database, after any crash: the rows agree with each other.
 * Answers a list of what is wrong (empty when all is well).
 */
export function inconsistencies(db: Database.Database): string[] {
  const wrong: string[] = [];
  const check = (what: string, sql: string) => {
    const rows = db.prepare(sql).all();
    if (rows.length > 0) wrong.push(`${what}: ${JSON.stringify(rows.slice(0, 5))}${rows.length > 5 ? ` (${rows.length} in all)` : ''}`);
  };
  check('session event counter differs from its events', `SELECT s.id, s.events, (SELECT count(*) FROM events e WHERE e.session_pk = s.pk AND e.system = 0) AS stored
    FROM sessions s WHERE s.events != (SELECT count(*) FROM events e WHERE e.session_pk = s.pk AND e.system = 0)`);
  check('session page-view counter differs from its page views', `SELECT s.id, s.page_views FROM sessions s
    WHERE s.page_views != (SELECT count(*) FROM events e WHERE e.session_pk = s.pk AND e.system = 0 AND e.type IN ('page-view', 'pageview', 'page_view'))`);
  check('ended sessions without exactly one visit-ended (or active ones with one)', `SELECT s.id, s.status FROM sessions s
    WHERE (SELECT count(*) FROM events e WHERE e.session_pk = s.pk AND e.type = 'visit-ended' AND e.system = 1) != s.status`);
  check('sessions without exactly one visit-started', `SELECT s.id FROM sessions s WHERE s.debug = 0
    AND (SELECT count(*) FROM events e WHERE e.session_pk = s.pk AND e.type = 'visit-started' AND e.system = 1) != 1`);
  check('profile visit count differs from its visits', `SELECT p.id, p.visit_count FROM profiles p
    WHERE p.visit_count != (SELECT count(*) FROM sessions s WHERE s.profile_pk = p.pk AND s.debug = 0)`);
  check('ended session whose end is not its last activity', `SELECT id, last_at, ended_at, duration FROM sessions
    WHERE status = 1 AND (ended_at != last_at OR abs(duration - (last_at - started_at) / 1000.0) > 0.001)`);
  check('last activity differs from the last event', `SELECT s.id, s.last_at FROM sessions s WHERE s.events > 0
    AND s.last_at != (SELECT max(time) FROM events e WHERE e.session_pk = s.pk AND e.system = 0)`);
  check('hourly rollup differs from the sessions', `SELECT sum(sessions) AS agg, sum(ended) AS aggEnded,
    (SELECT count(*) FROM sessions WHERE debug = 0) AS real, (SELECT count(*) FROM sessions WHERE debug = 0 AND status = 1) AS realEnded
    FROM agg_sessions WHERE g = 0 AND cls != 2 HAVING agg != real OR aggEnded != realEnded`);
  return wrong;
}

/** Event ids (of `ids`) and how many times each is stored, through a temp table (thousands of ids). */
export function storedCounts(db: Database.Database, ids: Iterable<string>): Map<string, number> {
  db.exec('CREATE TEMP TABLE IF NOT EXISTS wanted (id TEXT PRIMARY KEY) WITHOUT ROWID; DELETE FROM wanted;');
  const ins = db.prepare('INSERT OR IGNORE INTO wanted VALUES (?)');
  db.transaction(() => {
    for (const id of ids) ins.run(id);
  })();
  const rows = db.prepare('SELECT w.id, count(e.pk) AS n FROM wanted w LEFT JOIN events e ON e.id = w.id GROUP BY w.id').all() as Array<{ id: string; n: number }>;
  return new Map(rows.map((r) => [r.id, r.n]));
}

/** Mounts a tmpfs of `size` at `dir` (as root, or with password-less sudo); false where not allowed. */
export function mountTmpfs(dir: string, size: string, extra = ''): boolean {
  const opts = `size=${size}${extra ? `,${extra}` : ''}`;
  const asRoot = process.getuid?.() === 0;
  const r = asRoot ? spawnSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir]) : spawnSync('sudo', ['-n', 'mount', '-t', 'tmpfs', '-o', opts, 'tmpfs', dir]);
  if (r.status === 0 && !asRoot) spawnSync('sudo', ['-n', 'chown', `${process.getuid?.()}:${process.getgid?.()}`, dir]);
  return r.status === 0;
}

export function remount(dir: string, opts: string): void {
  const asRoot = process.getuid?.() === 0;
  const r = asRoot ? spawnSync('mount', ['-o', `remount,${opts}`, dir]) : spawnSync('sudo', ['-n', 'mount', '-o', `remount,${opts}`, dir]);
  if (r.status !== 0) throw new Error(`remount ${dir} ${opts} failed: ${r.stderr}`);
}

export function unmount(dir: string): void {
  if (process.getuid?.() === 0) spawnSync('umount', ['-l', dir]);
  else spawnSync('sudo', ['-n', 'umount', '-l', dir]);
}
