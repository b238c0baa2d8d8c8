import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

/** The repository's root (children run there, so `--import tsx` resolves). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The folder of the built app (`npm run build`): `FOOTFALL_OUT_DIR`, default `out`. */
export function outDir(root: string): string {
  return resolve(root, process.env.FOOTFALL_OUT_DIR ?? 'out');
}

export interface Child {
  proc: ChildProcess;
  /** Every line it printed so far (stdout and stderr). */
  output: string[];
  /** Resolves with the first line matching `re` (its match); rejects if the child exits first. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Peak resident memory so far, MB (the kernel's high-water mark, VmHWM). */
  peakRssMb(): number;
  /** Resident memory now, MB. */
  rssMb(): number;
  stop(): Promise<number | null>;
}

/** Reads one field (kB) of /proc/PID/status, in MB. */
function procStatusMb(pid: number | undefined, field: 'VmHWM' | 'VmRSS'): number {
  if (pid === undefined) return Number.NaN;
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Starts `node ARGS` as a child process with its output collected line by line. */
export function startChild(args: string[], opts: { env?: NodeJS.ProcessEnv; ipc?: boolean } = {}): Child {
  const proc = spawn(process.execPath, args, {
    stdio: opts.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
    cwd: ROOT,
  });
  const output: string[] = [];
  const waiters: Array<{ re: RegExp; resolve: (m: RegExpExecArray) => void }> = [];
  const onLine = (line: string) => {
    output.push(line);
    for (let i = 0; i < waiters.length; i++) {
      const m = waiters[i]!.re.exec(line);
      if (m) {
        waiters[i]!.resolve(m);
        waiters.splice(i--, 1);
      }
    }
  };
  createInterface({ input: proc.stdout! }).on('line', onLine);
  createInterface({ input: proc.stderr! }).on('line', onLine);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    proc,
    output,
    waitFor(re, timeoutMs = 60_000) {
      const seen = output.map((l) => re.exec(l)).find((m) => m !== null);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${re} within ${timeoutMs} ms:\n${output.slice(-20).join('\n')}`)), timeoutMs);
        waiters.push({
          re,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`${args.join(' ')} exited (${code}) before printing ${re}:\n${output.slice(-20).join('\n')}`));
        });
      });
    },
    peakRssMb: () => procStatusMb(proc.pid, 'VmHWM'),
    rssMb: () => procStatusMb(proc.pid, 'VmRSS'),
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export interface Footfall {
  child: Child;
  url: string;
  token: string;
  source: string;
  /** From spawning the process to its "listening" line, ms (wall clock, node's own start included). */
  startupMs: number;
  /** What the server itself says it took (`ready in N ms`: opening the database to listening). */
  readyMs: number;
}

/**
 * Starts the built headless server (`OUT/main/serve.js`, or the file `BENCH_SERVE_JS` names, to
 * compare two builds) on `dataDir`, port 0.
 */
export async function startFootfall(root: string, dataDir: string, args: string[] = [], nodeArgs: string[] = []): Promise<Footfall> {
  const t0 = performance.now();
  const child = startChild([...nodeArgs, process.env.BENCH_SERVE_JS ?? join(outDir(root), 'main', 'serve.js'), '--port', '0', '--data-dir', dataDir, ...args]);
  const listening = await child.waitFor(/listening on (\S+)/);
  const startupMs = performance.now() - t0;
  const dash = await child.waitFor(/^Dashboard: (\S+)/);
  const source = await child.waitFor(/^Default event source: (\S+)/);
  const ready = await child.waitFor(/ready in (\d+) ms/);
  return {
    child,
    url: listening[1]!,
    token: new URL(dash[1]!).searchParams.get('token') ?? '',
    source: source[1]!,
    startupMs,
    readyMs: Number(ready[1]),
  };
}

/** CPU time the process has used so far (user + system), ms, from /proc/PID/stat. */
export function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line (12 and 13 after the name).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}
