import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import Database from 'better-sqlite3';
import { startServer, type ServerHandle } from './server';
import { get, mountTmpfs, post, remount, runCli, storedCounts, unmount, type CliResult } from './reliability-tools';

/**
 * Through the real CLI (`out/main/serve.js`): every refusal to start is exit code 1 and one
 * line on stderr that says what is wrong and what to do, and leaves the data as it was.
 */

let root: string;
test.beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'footfall-cli-'));
});
test.afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Exit 1, and exactly one line on stderr, starting `Footfall: `. */
function expectRefusal(r: CliResult, ...patterns: RegExp[]): string {
  expect(r.code, `stdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(1);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, 'one line on stderr').toHaveLength(1);
  const line = lines[0]!;
  expect(line).toMatch(/^Footfall: /);
  for (const p of patterns) expect(line).toMatch(p);
  expect(r.stdout).not.toContain('listening on');
  return line;
}

/** A data folder with a few sessions in it, made by the real server. */
async function folderWithData(dir: string): Promise<number> {
  const server = await startServer([], { dataDir: dir });
  for (let i = 0; i < 5; i++) {
    const r = await post(server.url, '/track', JSON.stringify({ source: { id: server.source }, session: { id: `S${i}` }, events: [{ type: 'page-view', id: `e${i}` }] }));
    expect(r.status).toBe(200);
  }
  expect(await server.stop()).toBe(0);
  return countEvents(dir);
}

function countEvents(dir: string): number {
  // Read-write, though it only reads: a read-only connection leaves -wal and -shm files behind.
  const db = new Database(join(dir, 'footfall.db'));
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    return db.prepare('SELECT count(*) FROM events').pluck().get() as number;
  } finally {
    db.close();
  }
}

test('port in use: names the port and the flag, and leaves the data folder as it was', async () => {
  const dir = join(root, 'data');
  const events = await folderWithData(dir);
  const blocker: Server = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  try {
    const r = await runCli(['--port', String(port), '--data-dir', dir]);
    expectRefusal(r, new RegExp(`Port ${port}\\b`), /in use/, /--port/);
  } finally {
    blocker.close();
  }
  expect(countEvents(dir)).toBe(events);
});

test('data folder not writable: says which folder and to use --data-dir', async () => {
  // A file where a folder should be: refused for anyone, root included.
  writeFileSync(join(root, 'a-file'), 'x');
  expectRefusal(await runCli(['--port', '0', '--data-dir', join(root, 'a-file', 'sub')]), /a-file/, /not writable/, /--data-dir/);

  // A folder without write permission (a read-only file system where root ignores permissions).
  const ro = join(root, 'ro');
  mkdirSync(ro);
  let mounted = false;
  if (process.getuid?.() === 0) {
    mounted = mountTmpfs(ro, '1m', 'ro');
    test.skip(!mounted, 'running as root without the right to mount: permissions cannot be tested');
  } else {
    chmodSync(ro, 0o500);
  }
  try {
    expectRefusal(await runCli(['--port', '0', '--data-dir', ro]), new RegExp(ro.replace(/[/\\]/g, '.')), /not writable/, /--data-dir/);
    expect(readdirSync(ro)).toEqual([]);
  } finally {
    if (mounted) unmount(ro);
    else chmodSync(ro, 0o700);
  }
});

test('second instance on the same data folder: refused at once, the first one unharmed', async () => {
  const dir = join(root, 'data');
  const first = await startServer([], { dataDir: dir });
  try {
    expect((await post(first.url, '/track', JSON.stringify({ source: { id: first.source }, session: { id: 'A' }, events: [{ type: 'page-view', id: 'a1' }] }))).status).toBe(200);
    const t0 = Date.now();
    expectRefusal(await runCli(['--port', '0', '--data-dir', dir]), /in use by another Footfall/, /Quit it first|--data-dir/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    // The first still takes events and answers the API.
    expect((await post(first.url, '/track', JSON.stringify({ source: { id: first.source }, session: { id: 'A' }, events: [{ type: 'click', id: 'a2' }] }))).status).toBe(200);
    const s = JSON.parse((await get(first.url, '/api/sessions/A', { authorization: `Bearer ${first.token}` })).body);
    expect(s.stats.events).toBe(2);
  } finally {
    expect(await first.stop()).toBe(0);
  }
  expect(countEvents(dir)).toBe(2 + 2 /* visit-started, profile-created */);
});

test('a file that is not SQLite: refused, never overwritten, nothing created beside it', async () => {
  const dir = join(root, 'data');
  mkdirSync(dir);
  const notes = 'these are my notes, not a database\n'.repeat(100);
  writeFileSync(join(dir, 'footfall.db'), notes);
  expectRefusal(await runCli(['--port', '0', '--data-dir', dir]), /footfall\.db is not a SQLite database/, /untouched/, /--data-dir/);
  expect(readFileSync(join(dir, 'footfall.db'), 'utf8')).toBe(notes);
  expect(readdirSync(dir)).toEqual(['footfall.db']);
});

test.describe('a damaged database', () => {
  const damage: Array<[string, (bytes: Buffer) => Buffer]> = [
    ['schema page overwritten', (b) => Buffer.concat([b.subarray(0, 100), Buffer.alloc(4000, 0xff), b.subarray(4100)])],
    ['header fields overwritten', (b) => Buffer.concat([b.subarray(0, 16), Buffer.alloc(84, 0xff), b.subarray(100)])],
    ['cut to half its length', (b) => b.subarray(0, Math.floor(b.length / 2))],
    ['cut inside the first page', (b) => b.subarray(0, 200)],
  ];
  for (const [name, wreck] of damage) {
    test(`${name}: refused at start, left byte for byte as it was`, async () => {
      const dir = join(root, 'data');
      await folderWithData(dir);
      const file = join(dir, 'footfall.db');
      const wrecked = wreck(readFileSync(file));
      writeFileSync(file, wrecked);
      expectRefusal(await runCli(['--port', '0', '--data-dir', dir]), /footfall\.db is damaged/, /left untouched/, /Restore a backup|--data-dir/);
      expect(readFileSync(file).equals(wrecked)).toBe(true);
      // The lock file is the one the first (clean) run made; the refused start added nothing.
      expect(readdirSync(dir).sort(), 'nothing left beside it').toEqual(['footfall.db', 'footfall.lock', 'token']);
    });
  }

  test('damaged where the start does not read: each write answers 503 saying so, the server stays up', async () => {
    const dir = join(root, 'data');
    // Enough events that the last pages are event rows only.
    const server0 = await startServer([], { dataDir: dir });
    const pad = 'x'.repeat(3000);
    for (let i = 0; i < 60; i++) {
      await post(server0.url, '/track', JSON.stringify({ source: { id: server0.source }, session: { id: `S${i}` }, events: [{ type: 'page-view', properties: { pad } }] }));
    }
    expect(await server0.stop()).toBe(0);
    const file = join(dir, 'footfall.db');
    // Damage the last leaf pages of the table events are stored in (`events` is a view over
    // it), where the next event goes: pages the start never reads, whatever the page size.
    const check = new Database(file, { readonly: true });
    const pageSize = check.pragma('page_size', { simple: true }) as number;
    const leaves = check.prepare("SELECT pageno FROM dbstat WHERE name = 'event_rows' AND pagetype = 'leaf' ORDER BY pageno").pluck().all() as number[];
    check.close();
    expect(leaves.length).toBeGreaterThan(20);
    const bytes = readFileSync(file);
    for (const page of leaves.slice(-10)) bytes.fill(0xab, (page - 1) * pageSize, page * pageSize);
    writeFileSync(file, bytes);
    const server = await startServer([], { dataDir: dir });
    try {
      const r = await post(server.url, '/track', JSON.stringify({ source: { id: server.source }, session: { id: 'S1' }, events: [{ type: 'page-view' }] }));
      expect(r.status).toBe(503);
      expect(JSON.parse(r.body).detail).toMatch(/database file is damaged.*restore a backup/);
      expect((await get(server.url, '/health')).status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});

test('a database from a newer Footfall: refused, naming the migration, left as it was', async () => {
  const dir = join(root, 'data');
  const events = await folderWithData(dir);
  const db = new Database(join(dir, 'footfall.db'));
  db.prepare("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (999, '999_from_the_future.sql', 'x', 0)").run();
  db.close();
  const before = readFileSync(join(dir, 'footfall.db'));
  expectRefusal(await runCli(['--port', '0', '--data-dir', dir]), /newer Footfall/, /999_from_the_future\.sql/, /Update Footfall|--data-dir/);
  expect(readFileSync(join(dir, 'footfall.db')).equals(before)).toBe(true);
  const check = new Database(join(dir, 'footfall.db'), { readonly: true });
  expect(check.prepare('SELECT count(*) FROM events').pluck().get()).toBe(events);
  check.close();
});

test('a full disk while writing: 503, nothing half-written, the server stays up and carries on once there is room', async () => {
  test.setTimeout(90_000);
  const dir = join(root, 'tiny');
  mkdirSync(dir);
  // A real small file system (tmpfs), so SQLite meets ENOSPC as on a full disk. Needs root
  // or password-less sudo (as on GitHub's runners); the same path is tested in vitest with
  // SQLite's max_page_count where mounting is not allowed.
  // Roomy at first: the schema and the visits below must fit whatever the migrations take;
  // it is shrunk to what they use plus a little once they are in.
  test.skip(!mountTmpfs(dir, '64m'), 'cannot mount a small tmpfs here (needs root or password-less sudo)');
  let server: ServerHandle | null = null;
  try {
    // The sweeper must meet the full disk too. Visits started just before the disk fills
    // expire a few seconds later, when every write fails: ending them all at once is a larger
    // write than the room left (that no request found). Relying on a 1 s timeout instead
    // let the sweeper end them while there was still room, depending on how many bytes a
    // refused request happened to leave in the log.
    server = await startServer(['--session-timeout', '6', '--sweep-interval', '0.2'], { dataDir: dir });
    const acked: string[] = [];
    const refused: string[] = [];
    const VISITS = 200;
    const visits = await Promise.all(
      Array.from({ length: VISITS }, (_, i) =>
        post(server!.url, '/track', JSON.stringify({ source: { id: server!.source }, session: { id: `V${i}` }, events: [{ id: `visit-${i}`, type: 'page-view' }] })),
      ),
    );
    visits.forEach((r, i) => {
      expect(r.status, r.body).toBe(200);
      acked.push(`visit-${i}`);
    });
    const expireAt = Date.now() + 6000;
    const fs = statfsSync(dir);
    remount(dir, `size=${(fs.blocks - fs.bfree) * fs.bsize + 2 * 1024 * 1024}`);
    // Fill it, in smaller and smaller requests, so what room is left in the log is less than
    // the smallest: every answer is a 200 or a 503 that says what is wrong.
    let n = 0;
    for (const size of [40_000, 4_000, 400, 0]) {
      const pad = 'f'.repeat(size);
      for (let fails = 0; fails < 3 && n < 3000; n++) {
        const ids = Array.from({ length: size === 0 ? 1 : 10 }, (_, k) => `full-${n}-${k}`);
        const r = await post(server.url, '/track', JSON.stringify({ source: { id: server.source }, session: { id: 'filler' }, events: ids.map((id) => ({ id, type: 'page-view', properties: { pad } })) }));
        if (r.status === 200) acked.push(...ids);
        else {
          expect(r.status, r.body).toBe(503);
          expect(JSON.parse(r.body).detail).toMatch(/Storage is full.*nothing from this request was stored.*Free disk space/);
          refused.push(...ids);
          fails++;
        }
      }
      if (size === 40_000) {
        // The file system's last bytes too, so the log cannot grow at all.
        try {
          for (let i = 0; ; i++) writeFileSync(join(dir, `ballast-${i}`), Buffer.alloc(4096));
        } catch (err) {
          expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
        }
      }
    }
    expect(refused.length, 'the disk filled up').toBeGreaterThan(0);
    expect(Date.now(), 'the disk filled up before the visits expired').toBeLessThan(expireAt);
    // The server is up: the sweeper met the full disk and did not take it down.
    await expect
      .poll(() => server!.output.join('\n'), { message: 'the sweeper met the full disk', timeout: 15_000 })
      .toContain('Ending expired sessions failed (database or disk is full)');
    expect(server.proc.exitCode).toBe(null);
    expect((await get(server.url, '/health')).status).toBe(200);
    // Room again: the same requests go through.
    remount(dir, 'size=64m');
    const again = await post(server.url, '/track', JSON.stringify({ source: { id: server.source }, session: { id: 'after' }, events: [{ id: 'after-1', type: 'page-view' }] }));
    expect(again.status, again.body).toBe(200);
    acked.push('after-1');
    // The sweeper ends what expired meanwhile (the filler's visit too, 6 s after its last
    // event; 'after' may have followed it by then).
    await expect
      .poll(
        async () =>
          JSON.parse((await get(server!.url, '/api/sessions?status=active&debug=false', { authorization: `Bearer ${server!.token}` })).body)
            .items.map((x: { id: string }) => x.id)
            .filter((id: string) => id !== 'after'),
        { timeout: 15_000 },
      )
      .toEqual([]);
    expect(await server.stop()).toBe(0);
    server = null;
    const db = new Database(join(dir, 'footfall.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect([...storedCounts(db, acked)].filter(([, c]) => c !== 1), 'acknowledged events not stored once').toEqual([]);
      expect([...storedCounts(db, refused)].filter(([, c]) => c !== 0), 'refused events stored anyway').toEqual([]);
    } finally {
      db.close();
    }
  } finally {
    if (server) await server.stop('SIGKILL');
    unmount(dir);
  }
});

test('binds to 127.0.0.1 by default; --host 0.0.0.0 listens on every interface and warns', async () => {
  const lan = Object.values(networkInterfaces())
    .flat()
    .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;
  const reachable = (host: string, port: number) =>
    new Promise<boolean>((resolve) => {
      const s = connect({ host, port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });

  const local = await startServer([], { dataDir: join(root, 'a') });
  try {
    expect(local.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(local.output.join('\n')).not.toMatch(/Warning/);
    const port = Number(new URL(local.url).port);
    expect(await reachable('127.0.0.1', port)).toBe(true);
    if (lan) expect(await reachable(lan, port), `not reachable on ${lan}`).toBe(false);
  } finally {
    expect(await local.stop()).toBe(0);
  }

  const all = await startServer(['--host', '0.0.0.0'], { dataDir: join(root, 'b') });
  try {
    await expect.poll(() => all.output.join('\n')).toMatch(/Warning: listening on all interfaces \(0\.0\.0\.0\).*other machines.*The dashboard still needs the token/);
    const port = Number(new URL(all.url).port);
    if (lan) {
      expect(await reachable(lan, port)).toBe(true);
      // From the LAN: the collector answers, the admin API still needs the token...
      expect((await get(`http://${lan}:${port}`, '/api/info')).status).toBe(401);
      expect((await get(`http://${lan}:${port}`, '/api/info', { authorization: `Bearer ${all.token}` })).status).toBe(200);
      // ...and a foreign name for this address is still refused.
      expect((await get(`http://${lan}:${port}`, '/api/info', { authorization: `Bearer ${all.token}`, host: `rebind.evil.test:${port}` })).status).toBe(403);
    }
  } finally {
    expect(await all.stop()).toBe(0);
  }
});
