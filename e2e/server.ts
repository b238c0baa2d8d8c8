import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** A built Footfall (`out/main/serve.js`) in a child process, on its own data folder and port. */
export interface ServerHandle {
  url: string;
  dashboardUrl: string;
  token: string;
  source: string;
  dataDir: string;
  proc: ChildProcess;
  output: string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startServer(args: string[] = [], opts: { dataDir?: string; keepData?: boolean } = {}): Promise<ServerHandle> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'footfall-e2e-'));
  const proc = spawn(process.execPath, [join(process.env.FOOTFALL_OUT_DIR ?? 'out', 'main/serve.js'), '--port', '0', '--data-dir', dataDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const lines = createInterface({ input: proc.stdout! });
  createInterface({ input: proc.stderr! }).on('line', (l) => output.push(l));
  const ready = new Promise<{ url: string; dashboardUrl: string; source: string }>((resolve, reject) => {
    let url = '';
    let dashboardUrl = '';
    lines.on('line', (line) => {
      output.push(line);
      const m = /listening on (\S+)/.exec(line);
      if (m) url = m[1]!;
      const d = /^Dashboard: (\S+)/.exec(line);
      if (d) dashboardUrl = d[1]!;
      const s = /^Default event source: (\S+)/.exec(line);
      if (s) resolve({ url, dashboardUrl, source: s[1]! });
    });
    proc.on('exit', (code) => reject(new Error(`Footfall exited with ${code} before it was ready:\n${output.join('\n')}`)));
  });
  const r = await ready;
  const token = new URL(r.dashboardUrl).searchParams.get('token')!;
  return {
    ...r,
    token,
    dataDir,
    proc,
    output,
    stop(signal: NodeJS.Signals = 'SIGTERM') {
      return new Promise((resolve) => {
        // A process killed by a signal has no exit code but a signal code: it is gone too.
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve(proc.exitCode);
        // 'close', not 'exit': by then every line it printed has been read into `output`.
        proc.once('close', (code) => {
          if (!opts.keepData && !opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
          resolve(code);
        });
        proc.kill(signal);
      });
    },
  };
}
