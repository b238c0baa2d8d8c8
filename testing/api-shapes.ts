import type { EventView, RejectedView, SessionView, SummaryView } from '../shared/api';
import type { PlanDoc } from '../shared/plan';
import type { FootfallEvent, FootfallPlan, FootfallRejected, FootfallSession, FootfallSummary } from './footfall-client';

/*
 * The test client keeps its own copies of the API's shapes, so that it can be copied into a
 * user's repository without Footfall's sources. Nothing imports this file: `npm run
 * typecheck` reads it, and fails the day the API's shapes and the client's copies drift apart.
 */

/** T's named members, without an index signature (the client's session allows more fields). */
type Known<T> = { [K in keyof T as string extends K ? never : K]: T[K] };

export type ApiShapesMatch = [
  (v: EventView) => FootfallEvent,
  (v: SessionView) => Known<FootfallSession>,
  (v: SummaryView) => FootfallSummary,
  (v: RejectedView) => FootfallRejected,
  (v: PlanDoc) => FootfallPlan,
  (v: FootfallPlan) => PlanDoc,
];
export const apiShapesMatch: ApiShapesMatch = [(v) => v, (v) => v, (v) => v, (v) => v, (v) => v, (v) => v];
