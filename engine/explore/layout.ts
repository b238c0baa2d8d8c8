/** What explore's data is made of: the session record it keeps, and the constants of its columns (data.ts). */

/**
 * The session dimensions explore filters and breaks down by, held as interned string ids
 * (-1: none). `landing` and `exit` are page keys (host/path), as the rollups count them.
 */
export const SESSION_DIMS = ['source', 'device', 'browser', 'os', 'channel', 'referrer', 'utm_source', 'utm_medium', 'utm_campaign', 'landing', 'exit'] as const;
export type SessionDimName = (typeof SESSION_DIMS)[number];
export const DIM_INDEX: Readonly<Record<SessionDimName, number>> = Object.fromEntries(SESSION_DIMS.map((d, i) => [d, i])) as Record<SessionDimName, number>;

/** A session as explore keeps it (what the sessions table says, with its pages as keys). */
export interface SessionRecord {
  pk: number;
  profilePk: number;
  /** 0 active, 1 ended. */
  status: number;
  /** Stored traffic class (engine/db/rows.ts CLS: 0 people, 1 bot, 2 debug). */
  cls: number;
  startedAt: number;
  lastAt: number;
  /** Seconds; null while active. */
  duration: number | null;
  events: number;
  pageViews: number;
  keyEvents: number;
  visitNumber: number;
  /** Values of SESSION_DIMS, in that order. */
  dims: Array<string | null>;
}

/**
 * Property values are interned with their JSON kind in front ('s' string, 'n' number,
 * 'b' boolean), so 1 and "1" stay apart while a filter on "1" can ask for either.
 */
export const VALUE_KINDS = ['s', 'n', 'b'] as const;

export const TIME_BLOCK_BITS = 10;
export const TIME_BLOCK = 1 << TIME_BLOCK_BITS;

/** Marks an event whose time is kept exactly in `timeExact` (its offset from its block did not fit). */
export const TIME_OUT = -0x80000000;
/** Marks an event whose session slot is kept in `slotExact` (too far from its block's first). */
export const SLOT_OUT = -0x8000;
/** Marks an event whose next event is kept in `nextExact` (too far after it). */
export const NEXT_OUT = 0xffff;

