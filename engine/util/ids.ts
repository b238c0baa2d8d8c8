import { randomBytes, randomUUID } from 'node:crypto';

let lastMs = 0;
let seq = 0;
const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let poolPos = 0;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** `xxxxxxxx-xxxx-7` of the millisecond last used: bursts of events share it. */
let prefixMs = -1;
let prefix = '';

/** One random byte from a pool refilled 4 KB at a time (one call into the CSPRNG per ~500 ids). */
function randomByte(): number {
  if (poolPos >= POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    poolPos = 0;
  }
  return pool[poolPos++]!;
}

/**
 * A UUIDv7 (RFC 9562): time-ordered, so new event ids land at the end of the unique index
 * instead of at random places in it, which keeps inserts fast as the table grows.
 * Monotonic within a millisecond through a 12-bit counter. Built from a hex table with no
 * intermediate buffers: it runs once per stored event.
 */
export function newEventId(now = Date.now()): string {
  if (now <= lastMs) {
    seq = (seq + 1) & 0xfff;
    if (seq === 0) lastMs++;
    now = lastMs;
  } else {
    lastMs = now;
    seq = ((randomByte() << 8) | randomByte()) & 0x3ff;
  }
  if (now !== prefixMs) {
    const hex = now.toString(16).padStart(12, '0');
    prefix = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7`;
    prefixMs = now;
  }
  const variant = HEX[(randomByte() & 0x3f) | 0x80]!;
  const b1 = HEX[randomByte()]!;
  let tail = '';
  for (let i = 0; i < 6; i++) tail += HEX[randomByte()]!;
  return `${prefix}${HEX[seq >> 8]!.slice(1)}${HEX[seq & 0xff]!}-${variant}${b1}-${tail}`;
}

/**
 * The first 24 characters (`xxxxxxxx-xxxx-7xxx-yxxx-`) of a new UUIDv7, for ids made by the
 * thousand in SQL (the sweeper's visit-ended events): each id of the batch ends with 12 hex
 * digits of a number unique within the batch (a session's key). The prefix carries the time,
 * the per-millisecond counter and 14 random bits, so batches never share one and every id
 * still sorts after the ids made before it.
 */
export function eventIdBatchPrefix(now = Date.now()): string {
  return newEventId(now).slice(0, 24);
}

/** Ids for new profiles and sessions. */
export function newId(): string {
  return randomUUID();
}
