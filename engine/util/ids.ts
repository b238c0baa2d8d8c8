import { randomBytes, randomUUID } from 'node:crypto';

let lastMs = 0;
let seq = 0;
const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let poolPos = 0;

function random(n: number): Buffer {
  if (poolPos + n > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    poolPos = 0;
  }
  const out = pool.subarray(poolPos, poolPos + n);
  poolPos += n;
  return out;
}

/**
 * A UUIDv7 (RFC 9562): time-ordered, so new event ids land at the end of the unique index
 * instead of at random places in it, which keeps inserts fast as the table grows.
 * Monotonic within a millisecond through a 12-bit counter.
 */
export function newEventId(now = Date.now()): string {
  if (now <= lastMs) {
    seq = (seq + 1) & 0xfff;
    if (seq === 0) lastMs++;
    now = lastMs;
  } else {
    lastMs = now;
    seq = random(2).readUInt16BE(0) & 0x3ff;
  }
  const r = random(8);
  const hex = now.toString(16).padStart(12, '0');
  const b8 = ((r[0]! & 0x3f) | 0x80).toString(16).padStart(2, '0');
  const tail = Buffer.from(r.subarray(1, 8)).toString('hex'); // 14 hex
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${seq.toString(16).padStart(3, '0')}-${b8}${tail.slice(0, 2)}-${tail.slice(2, 14)}`;
}

/** Ids for new profiles and sessions. */
export function newId(): string {
  return randomUUID();
}
