import autocannon, { type Result } from 'autocannon';

export interface LoadOptions {
  url: string;
  path: string;
  connections: number;
  /** Seconds. */
  duration: number;
  /** Requests per second over all connections; unset: as fast as the server answers. */
  rate?: number;
  /** The next request's body and user agent (called once per request). */
  body: () => { body: string; userAgent: string };
  /** Called with each response's latency, ms, and status. */
  onResponse?: (latencyMs: number, status: number) => void;
}

export interface Load {
  done: Promise<Result>;
  /** Ends the run early; `done` then resolves with what was measured so far. */
  stop(): void;
}

/** Headers a browser sends with the tracker's fetch (text/plain: no CORS preflight). */
const BROWSER_HEADERS = {
  'content-type': 'text/plain;charset=UTF-8',
  accept: '*/*',
  'accept-language': 'en-US,en;q=0.9',
  'accept-encoding': 'gzip, deflate, br',
  origin: 'https://shop.test',
  referer: 'https://shop.test/',
  'sec-fetch-mode': 'cors',
  'sec-fetch-site': 'cross-site',
};

/**
 * Runs autocannon against one URL: keep-alive connections, no pipelining (one request in
 * flight per connection, as a browser's tracker sends them), a fresh body per request.
 */
export function startLoad(o: LoadOptions): Load {
  let stop = () => {};
  const done = new Promise<Result>((resolve, reject) => {
    const inst = autocannon(
      {
        url: o.url,
        connections: o.connections,
        pipelining: 1,
        duration: o.duration,
        timeout: 30,
        ...(o.rate !== undefined ? { overallRate: o.rate } : {}),
        requests: [
          {
            method: 'POST',
            path: o.path,
            setupRequest: (req) => {
              const { body, userAgent } = o.body();
              return { ...req, method: 'POST', path: o.path, headers: { ...BROWSER_HEADERS, 'user-agent': userAgent }, body };
            },
          },
        ],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    const onResponse = o.onResponse;
    if (onResponse) inst.on('response', (_client, status, _bytes, ms) => onResponse(ms, status));
    stop = () => inst.stop();
  });
  return { done, stop: () => stop() };
}

export function load(o: LoadOptions): Promise<Result> {
  return startLoad(o).done;
}

/** Responses with a 2xx status per second. */
export function okPerSecond(r: Result): number {
  return r['2xx'] / r.duration;
}

/** Why a run is not clean (a refused, failed or timed-out request), or null. */
export function loadProblem(r: Result): string | null {
  if (r.non2xx > 0) return `${r.non2xx} answers were not 2xx (${JSON.stringify(r.statusCodeStats)})`;
  if (r.errors > 0 || r.timeouts > 0) return `${r.errors} errors, ${r.timeouts} timeouts`;
  return null;
}

/** The p-th percentile (0..100) of a list of numbers. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}
