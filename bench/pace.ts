import { Agent, request } from 'node:http';

export interface PacedOptions {
  url: string;
  path: string;
  /** Requests per second, spread evenly (every 5 ms, those that are due). */
  rate: number;
  seconds: number;
  /** Keep-alive connections at most. */
  connections: number;
  body: () => { body: string; userAgent: string };
  /** Each response: when it was due (ms since start), its latency from then, its status. */
  onResponse: (dueMs: number, latencyMs: number, status: number) => void;
}

export interface PacedResult {
  sent: number;
  ok: number;
  failed: number;
}

/**
 * Open-loop load at a steady rate: requests go out when they are due, not when a connection
 * is free, and latency counts from the moment a request was due, so a stall shows as the
 * latency of everything that waited behind it (autocannon's rate limit sends each second's
 * quota in a burst at its start, which measures bursts, not a steady site).
 */
export function paced(o: PacedOptions): { done: Promise<PacedResult>; stop(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets: o.connections });
  const target = new URL(o.url);
  const result: PacedResult = { sent: 0, ok: 0, failed: 0 };
  let inFlight = 0;
  const t0 = performance.now();
  const interval = 1000 / o.rate;
  let total = Math.floor(o.rate * o.seconds);
  let stop = () => {};
  const done = new Promise<PacedResult>((resolve) => {
    let finished = false;
    const done = () => {
      if (finished || inFlight > 0 || result.sent < total) return;
      finished = true;
      agent.destroy();
      resolve(result);
    };
    const send = (dueMs: number) => {
      const { body, userAgent } = o.body();
      inFlight++;
      result.sent++;
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: o.path,
          method: 'POST',
          headers: { 'content-type': 'text/plain;charset=UTF-8', 'content-length': Buffer.byteLength(body), 'user-agent': userAgent, origin: 'https://shop.test' },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            inFlight--;
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) result.ok++;
            else result.failed++;
            o.onResponse(dueMs, performance.now() - t0 - dueMs, status);
            done();
          });
        },
      );
      req.on('error', () => {
        inFlight--;
        result.failed++;
        done();
      });
      req.end(body);
    };
    const timer = setInterval(() => {
      const now = performance.now() - t0;
      while (result.sent < total && result.sent * interval <= now) send(result.sent * interval);
      if (result.sent >= total) {
        clearInterval(timer);
        done();
      }
    }, 5);
    stop = () => {
      total = result.sent;
      clearInterval(timer);
      done();
    };
  });
  return { done, stop: () => stop() };
}
