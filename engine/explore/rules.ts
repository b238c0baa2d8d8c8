/**
 * The session rules explore counts by (what a page view is, when a visit is engaged, the
 * duration buckets, what a page key is). Each has one home in the engine; explore and the
 * explore queries import them from this file only, so that when the rules move to
 * shared/rules.ts (the engine split) this is the one file to repoint.
 */
export { PAGE_VIEW_TYPES } from '../sessions/counters';
export { isEngaged } from '../sessions/engine';
export { durationBucket, pageKey, parseUrl } from '../sessions/enrich';
