import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * A real ClickHouse server for the forwarding tests: Debian's `clickhouse-server` (18.16,
 * `apt-get install -y clickhouse-server`; .ci/run installs it), run from a scratch folder on
 * loopback, on free ports, with its own users file (a user with a password, to show that
 * none leaks). Stopping it and starting it again keeps its folder and ports.
 */

const CONFIG = '/etc/clickhouse-server/config.xml';
export const CLICKHOUSE_USER = 'footfall';
export const CLICKHOUSE_PASSWORD = 'ch-Secret-4f8a';

/** The server binary, or null (with why) where it is not installed. */
export function findClickHouse(): { bin: string; args: string[] } | { missing: string } {
  const path = (process.env.PATH ?? '').split(delimiter).concat('/usr/sbin', '/usr/bin');
  for (const dir of path) {
    const server = join(dir, 'clickhouse-server');
    if (existsSync(server)) return existsSync(CONFIG) ? { bin: server, args: [] } : { missing: `${CONFIG} is missing` };
  }
  return { missing: 'clickhouse-server is not installed (apt-get install -y clickhouse-server)' };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const USERS = `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users>
    <${CLICKHOUSE_USER}>
      <password>${CLICKHOUSE_PASSWORD}</password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </${CLICKHOUSE_USER}>
  </users>
  <quotas><default></default></quotas>
</yandex>
`;

export interface ClickHouse {
  httpPort: number;
  /** `clickhouse+http://USER:PASSWORD@127.0.0.1:PORT/DATABASE`. */
  upstream(database: string): string;
  /** Runs a query (as the user) and answers its rows (JSONEachRow). */
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and deletes its folder. */
  dispose(): Promise<void>;
}

export async function startClickHouse(): Promise<ClickHouse> {
  const found = findClickHouse();
  if ('missing' in found) throw new Error(found.missing);
  const dir = mkdtempSync(join(tmpdir(), 'footfall-clickhouse-'));
  for (const d of ['data', 'tmp', 'user_files', 'format_schemas']) mkdirSync(join(dir, d));
  writeFileSync(join(dir, 'users.xml'), USERS);
  const [httpPort, tcpPort, interPort] = [await freePort(), await freePort(), await freePort()];
  let proc: ChildProcess | null = null;
  let output = '';
  const auth = { 'X-ClickHouse-User': CLICKHOUSE_USER, 'X-ClickHouse-Key': CLICKHOUSE_PASSWORD };
  const base = `http://127.0.0.1:${httpPort}`;

  const start = async () => {
    const args = [
      `--config-file=${CONFIG}`,
      '--',
      `--path=${dir}/data/`,
      `--tmp_path=${dir}/tmp/`,
      `--user_files_path=${dir}/user_files/`,
      `--format_schema_path=${dir}/format_schemas/`,
      `--users_config=${dir}/users.xml`,
      `--logger.log=${dir}/server.log`,
      `--logger.errorlog=${dir}/error.log`,
      '--listen_host=127.0.0.1',
      `--http_port=${httpPort}`,
      `--tcp_port=${tcpPort}`,
      `--interserver_http_port=${interPort}`,
    ];
    const p = spawn(found.bin, [...found.args, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    proc = p;
    p.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    p.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (p.exitCode !== null) throw new Error(`clickhouse-server exited with ${p.exitCode}:\n${output.slice(-2000)}`);
      try {
        if ((await fetch(`${base}/ping`)).ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`clickhouse-server did not answer within 30 s:\n${output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const stop = async () => {
    const p = proc;
    proc = null;
    if (p === null || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGTERM');
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  };

  // A test that dies must not leave a server behind.
  const orphan = () => (proc as ChildProcess | null)?.kill('SIGKILL');
  process.once('exit', orphan);
  await start();
  return {
    httpPort,
    upstream: (db) => `clickhouse+http://${CLICKHOUSE_USER}:${CLICKHOUSE_PASSWORD}@127.0.0.1:${httpPort}/${db}`,
    async query<T>(sql: string): Promise<T[]> {
      const r = await fetch(`${base}/?query=${encodeURIComponent(`${sql} FORMAT JSONEachRow`)}`, { headers: auth });
      const text = await r.text();
      if (!r.ok) throw new Error(`ClickHouse: ${text}`);
      return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as T);
    },
    stop,
    start,
    async dispose() {
      process.off('exit', orphan);
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
