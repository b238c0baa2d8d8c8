// `npm run serve -- --ci`: Footfall for one test run, as a CI script starts it: the one line
// on stdout it reads, a throw-away data folder, and a clean exit when told (or when the
// process that started it goes away).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect, test } from '@playwright/test';

const SERVE = join(process.env.FOOTFALL_OUT_DIR ?? 'out', 'main/serve.js');

function start(args: string[]): { proc: ChildProcess; stdout: Promise<string[]>; stderr: string[]; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, [SERVE, '--port', '0', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  createInterface({ input: proc.stderr! }).on('line', (l) => stderr.push(l));
  const lines: string[] = [];
  const stdout = new Promise<string[]>((resolve) => {
    createInterface({ input: proc.stdout! }).on('line', (l) => {
      lines.push(l);
      if (args.includes('--print-env') ? lines.length === 4 : lines.length === 1) resolve(lines);
    });
  });
  const exited = new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)));
  return { proc, stdout, stderr, exited };
}

test('--ci prints one JSON line to use it by, keeps nothing, and stops cleanly on SIGTERM', async () => {
  const ff = start(['--ci']);
  const [line] = await ff.stdout;
  const info = JSON.parse(line!) as { url: string; source: string; token: string; dashboard: string; dataDir: string };
  expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(info.dashboard).toBe(`${info.url}/?token=${info.token}`);
  expect(existsSync(join(info.dataDir, 'footfall.db'))).toBe(true);
  // What people read went to stderr.
  expect(ff.stderr.some((l) => l.startsWith('Footfall collector listening on '))).toBe(true);
  const sent = await fetch(`${info.url}/track`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ source: { id: info.source }, events: [{ type: 'ci-ping' }] }) });
  expect(sent.status).toBe(200);
  const summary = (await (await fetch(`${info.url}/api/summary`, { headers: { authorization: `Bearer ${info.token}` } })).json()) as { events: { byType: Record<string, number> } };
  expect(summary.events.byType['ci-ping']).toBe(1);
  ff.proc.kill('SIGTERM');
  expect(await ff.exited).toBe(0);
  expect(existsSync(info.dataDir), 'the throw-away folder is gone').toBe(false);
});

test('--print-env prints lines a shell or $GITHUB_ENV takes; SIGINT stops it', async () => {
  const ff = start(['--print-env']);
  const lines = await ff.stdout;
  expect(lines.map((l) => l.split('=')[0])).toEqual(['FOOTFALL_URL', 'FOOTFALL_SOURCE', 'FOOTFALL_TOKEN', 'FOOTFALL_DASHBOARD']);
  const env = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  expect((await fetch(`${env.FOOTFALL_URL}/api/summary`, { headers: { authorization: `Bearer ${env.FOOTFALL_TOKEN}` } })).status).toBe(200);
  ff.proc.kill('SIGINT');
  expect(await ff.exited).toBe(0);
});

test('stops when the process that started it goes away (its stdin closes)', async () => {
  const ff = start(['--ci']);
  const info = JSON.parse((await ff.stdout)[0]!) as { dataDir: string };
  ff.proc.stdin!.end();
  expect(await ff.exited).toBe(0);
  expect(existsSync(info.dataDir)).toBe(false);
  expect(ff.stderr.join('\n')).toContain('stdin closed: stopping');
});

test('--ci with --data-dir is refused, saying why', async () => {
  const ff = start(['--ci', '--data-dir', '/tmp/somewhere']);
  expect(await ff.exited).toBe(1);
  expect(ff.stderr.join('\n')).toContain('--ci uses a throw-away data folder');
});
