import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startServer, type ServerHandle } from './server';
import { post } from './reliability-tools';

/**
 * The data file is the user's: while Footfall runs and takes events, other programs
 * (sqlite3, Datasette, DB Browser) can open footfall.db read-only, in their own process,
 * and find every event Footfall acknowledged, in the tables and columns the README lists.
 */

const BETTER_SQLITE3 = createRequire(import.meta.url).resolve('better-sqlite3');

/** Runs `script` in another Node process with `Database` (better-sqlite3) and the file's path; answers its JSON output. */
function inAnotherProcess<T>(file: string, script: string): T {
  const r = spawnSync(process.execPath, ['-e', `const Database = require(${JSON.stringify(BETTER_SQLITE3)}); const file = process.argv[1]; ${script}`, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the reader failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

let server: ServerHandle;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  expect(await server.stop()).toBe(0);
});

const batch = (i: number) => {
  const ids = Array.from({ length: 5 }, (_, j) => `read-${i}-${j}`);
  const body = JSON.stringify({
    source: { id: server.source },
    session: { id: `R${i % 3}` },
    profile: { id: `RP${i % 3}` },
    events: ids.map((id, j) => (j === 0 ? { id, type: 'page-view', context: { page: { url: `https://shop.test/p${i}` } } } : { id, type: 'click', properties: { n: j } })),
  });
  return { ids, body };
};

test('another process reads footfall.db while Footfall takes events, and finds every acknowledged one', async () => {
  const file = join(server.dataDir, 'footfall.db');
  const acked: string[] = [];
  for (let i = 0; i < 30; i++) {
    const { ids, body } = batch(i);
    const r = await post(server.url, '/track', body);
    expect(r.status).toBe(200);
    acked.push(...ids);
    if (i % 10 === 9) {
      // Right after the 200s: a new read-only connection in another process, as sqlite3 would open it.
      const seen = inAnotherProcess<string[]>(
        file,
        `const db = new Database(file, { readonly: true, fileMustExist: true });
         console.log(JSON.stringify(db.prepare("SELECT id FROM events WHERE id LIKE 'read-%' ORDER BY pk").pluck().all()));`,
      );
      expect(seen).toEqual(acked);
    }
  }

  // A reader that keeps its connection open and reads while requests keep coming (as Datasette does).
  const reader = spawn(
    process.execPath,
    [
      '-e',
      `const Database = require(${JSON.stringify(BETTER_SQLITE3)});
       const db = new Database(process.argv[1], { readonly: true, fileMustExist: true });
       const count = db.prepare("SELECT count(*) FROM events WHERE id LIKE 'read-%'").pluck();
       let reads = 0, errors = [], last = 0;
       console.log('open');
       const end = Date.now() + 1500;
       const tick = () => {
         try { last = count.get(); reads++; } catch (e) { errors.push(e.code + ': ' + e.message); }
         if (Date.now() < end) setTimeout(tick, 10); else console.log(JSON.stringify({ reads, errors, last }));
       };
       tick();`,
      file,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  reader.stdout.on('data', (c: Buffer) => (out += c.toString()));
  reader.stderr.on('data', (c: Buffer) => (err += c.toString()));
  await expect.poll(() => out).toContain('open');
  const done = new Promise<number | null>((resolve) => reader.on('exit', resolve));
  let i = 30;
  const sending = (async () => {
    while (reader.exitCode === null) {
      const { ids, body } = batch(i++);
      expect((await post(server.url, '/track', body)).status).toBe(200);
      acked.push(...ids);
    }
  })();
  expect(await done, err).toBe(0);
  await sending;
  const result = JSON.parse(out.trim().split('\n').at(-1)!) as { reads: number; errors: string[]; last: number };
  expect(result.errors).toEqual([]);
  expect(result.reads).toBeGreaterThan(20);
  expect(result.last).toBeGreaterThan(150);

  // Every acknowledged event, with its session and profile, through the columns the README documents.
  const rows = inAnotherProcess<{ events: Array<{ id: string; type: string; session: string; profile: string; source_id: string; time: number; page_url: string | null; properties: string }>; sessions: Array<{ id: string; status: number; started_at: number; last_at: number }> }>(
    file,
    `const db = new Database(file, { readonly: true, fileMustExist: true });
     const events = db.prepare(\`SELECT e.id, e.type, s.id AS session, p.id AS profile, e.source_id, e.time, e.page_url, e.properties
       FROM events e JOIN sessions s ON s.pk = e.session_pk JOIN profiles p ON p.pk = e.profile_pk
       WHERE e.system = 0 ORDER BY e.pk\`).all();
     const sessions = db.prepare('SELECT id, status, started_at, last_at, ended_at, duration, events, page_views, landing_page FROM sessions ORDER BY id').all();
     console.log(JSON.stringify({ events, sessions }));`,
  );
  const expected = acked.map((id) => {
    const n = Number(/^read-(\d+)-/.exec(id)![1]);
    return { id, type: id.endsWith('-0') ? 'page-view' : 'click', session: `R${n % 3}`, profile: `RP${n % 3}`, source_id: server.source };
  });
  // One comparison of them all (an expect per row costs milliseconds each).
  expect(rows.events.map(({ id, type, session, profile, source_id }) => ({ id, type, session, profile, source_id }))).toEqual(expected);
  expect(rows.sessions.map((s) => s.id)).toEqual(['R0', 'R1', 'R2']);
  expect(rows.sessions.every((s) => s.status === 0 && s.last_at >= s.started_at)).toBe(true);
});

test('the sqlite3 shell reads it too, read-only, while Footfall runs', async () => {
  const sqlite3 = spawnSync('sqlite3', ['-version'], { encoding: 'utf8' });
  test.skip(sqlite3.status !== 0, 'no sqlite3 shell on this machine');
  const { ids, body } = batch(1000);
  expect((await post(server.url, '/track', body)).status).toBe(200);
  const r = spawnSync('sqlite3', ['-readonly', join(server.dataDir, 'footfall.db'), `SELECT id FROM events WHERE id LIKE 'read-1000-%' ORDER BY pk;`], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.stdout.trim().split('\n')).toEqual(ids);
});
