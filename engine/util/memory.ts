import { setFlagsFromString } from 'node:v8';

/**
 * How far the JavaScript heap may grow past what the last full collection left live before
 * the next one, in percent (V8's `--heap-growing-percent`; 0 is V8's own choice).
 *
 * Left to itself V8 lets the heap grow to several times its live size between full
 * collections: it tunes for throughput, not for a laptop that runs a browser beside it. At
 * ten million events explore's strings and tables are ~40 MB live, and the garbage of
 * queries and of the collector's requests took the heap to ~165 MB before a collection
 * came. Measured on the bench (bench/DESIGN.md, *Ten million events*): peak resident
 * memory of the seeded server 576 → 466 MB, of the collector under load 292-313 → 201-205
 * MB; collector throughput over its baseline unchanged within the machine's noise, 100-event
 * batches ~7 % slower, filtered and explore queries' p50 at 10M 2-6 ms slower (all far
 * inside their targets). FOOTFALL_HEAP_GROWING sets another value, to measure the difference.
 */
const fromEnv = process.env.FOOTFALL_HEAP_GROWING?.trim() ? Number(process.env.FOOTFALL_HEAP_GROWING) : Number.NaN;
export const HEAP_GROWING_PERCENT = Number.isInteger(fromEnv) && fromEnv >= 0 ? fromEnv : 20;

let applied = false;

/**
 * Applies HEAP_GROWING_PERCENT to this process, once. V8 reads the flag at every full
 * collection, so setting it after start-up takes effect (unlike the young generation's
 * size, read once at start). The engine runs in Electron's main process or under `npm run
 * serve`, neither of which is given V8 flags on its command line, so it sets this itself.
 */
export function favourMemory(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
