import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context';
import { draftPlan } from '../plan/draft';
import { revalidate } from '../plan/revalidate';
import type { PlanCoverageView, PlanDraftView, PlanView, RevalidateView } from '../../shared/plan';
import { HttpError } from './errors';
import { parseWith, TIME_MAX, TIME_MIN } from './query';
import { rangeParams, toRequest } from './stats';

/** A time in a JSON body: ISO 8601 or epoch milliseconds. */
const bodyTime = z.union([z.number().int().min(TIME_MIN).max(TIME_MAX), z.iso.datetime({ offset: true }).transform((v) => Date.parse(v))], {
  error: 'must be a time: ISO 8601 (2025-01-31T00:00:00Z) or epoch milliseconds',
});
/** The events a draft or a revalidation reads: every stored one unless the body narrows it. */
const rangeBody = z.strictObject({ from: bodyTime.optional(), to: bodyTime.optional() });
const coverageQuery = z.object(rangeParams);

function range(body: unknown): { from?: number | undefined; to?: number | undefined } {
  const r = parseWith(rangeBody, body ?? {}, 422);
  if (r.from !== undefined && r.to !== undefined && !(r.from < r.to)) throw new HttpError(422, 'from: must be before `to`.');
  return r;
}

/** The tracking plan: the plan itself, its coverage, a draft from the traffic, and checking stored events again. */
export function registerPlan(app: FastifyInstance, ctx: AppContext): void {
  app.get('/api/plan', async (): Promise<PlanView> => ctx.plan.view());

  app.put('/api/plan', async (req): Promise<PlanView> => ctx.plan.replace(req.body ?? null));

  app.get('/api/stats/plan', async (req): Promise<PlanCoverageView> => {
    const r = toRequest(parseWith(coverageQuery, req.query), ctx.clock.now());
    return ctx.queries.plan.coverage(Object.keys(ctx.plan.view().events), r);
  });

  app.post('/api/plan/draft', async (req): Promise<PlanDraftView> => draftPlan(ctx.engine.db, range(req.body)));

  app.post('/api/plan/revalidate', async (req): Promise<RevalidateView> => revalidate(ctx.engine.db, () => ctx.plan.current, range(req.body)));
}
