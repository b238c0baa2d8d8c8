import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context';
import { HttpError } from './errors';
import { filterParam, parseWith, timeParam } from './query';
import { rangeParams, toRequest } from './stats';
import { trafficParams } from './traffic';
import { FUNNEL_MAX_STEPS, FUNNEL_MIN_STEPS } from '../../shared/explore';

const step = z.object({
  type: z.string().trim().min(1, 'must not be empty').max(128),
  page: z.string().trim().max(512).optional(),
});
const steps = z.array(step).min(FUNNEL_MIN_STEPS, `must have ${FUNNEL_MIN_STEPS} to ${FUNNEL_MAX_STEPS} steps`).max(FUNNEL_MAX_STEPS, `must have ${FUNNEL_MIN_STEPS} to ${FUNNEL_MAX_STEPS} steps`);
/** A time in a JSON body: ISO 8601 text or epoch milliseconds. */
const bodyTime = z.union([z.number().transform(String), z.string()]).pipe(timeParam);

const funnelBody = z.object({
  from: bodyTime.optional(),
  to: bodyTime.optional(),
  tz: rangeParams.tz,
  filter: filterParam.optional(),
  /** The traffic classes, as the query parameter writes them (`person,automation`); `bots`/`debug` as there. */
  traffic: trafficParams.traffic,
  bots: z.boolean().optional(),
  debug: z.boolean().optional(),
  steps,
  within: z.literal('session', { error: 'only "session" is supported: steps count within one visit' }).optional(),
});
const dropoffBody = funnelBody.extend({
  /** The step whose drop-off to list (1-based): sessions that reached the step before it but not it. */
  step: z.number().int().min(2).max(FUNNEL_MAX_STEPS),
  limit: z.number().int().min(1).max(500).default(50),
  cursor: z.string().max(512).optional(),
});

const pathsQuery = z.object({
  ...rangeParams,
  start: z.string().min(1).max(512),
  depth: z.coerce.number().int().min(1).max(8).default(4),
  /** Children shown per node; the rest are summed as "(other)". */
  limit: z.coerce.number().int().min(1).max(20).default(6),
});
const retentionQuery = z.object({ ...rangeParams, interval: z.enum(['day', 'week']).default('week') });
const propertiesQuery = z.object({ ...rangeParams, type: z.string().min(1).max(128).optional() });
const funnelName = z.object({ name: z.string().trim().min(1, 'must not be empty').max(120) });
const funnelSave = z.object({ steps });

/** Explore's routes: properties, funnels (and saved ones), paths, retention. */
export function registerExplore(app: FastifyInstance, ctx: AppContext): void {
  const explore = ctx.queries.explore;
  const now = () => ctx.clock.now();
  const funnelRequest = (b: z.infer<typeof funnelBody>) => {
    const { steps: s, traffic, bots, debug, from, to, tz, filter } = b;
    // The body's switches are booleans; toRequest takes the query string's parsed form.
    return { r: toRequest({ from, to, tz, filter, traffic, bots, debug }, now()), steps: s };
  };

  app.get('/api/stats/properties', async (req) => {
    const q = parseWith(propertiesQuery, req.query);
    return explore.properties(toRequest(q, now()), q.type);
  });

  app.post('/api/stats/funnel', async (req) => {
    const { r, steps: s } = funnelRequest(parseWith(funnelBody, req.body ?? {}, 422));
    return explore.funnel(r, s);
  });

  app.post('/api/stats/funnel/sessions', async (req) => {
    const b = parseWith(dropoffBody, req.body ?? {}, 422);
    if (b.step > b.steps.length) throw new HttpError(422, `step: the funnel has ${b.steps.length} steps; ask for the drop-off of step 2 to ${b.steps.length}.`);
    const { r, steps: s } = funnelRequest(b);
    return explore.funnelDropoff(r, s, b.step, { limit: b.limit, cursor: b.cursor });
  });

  app.get('/api/stats/paths', async (req) => {
    const q = parseWith(pathsQuery, req.query);
    return explore.paths(toRequest(q, now()), q.start, q.depth, q.limit);
  });

  app.get('/api/stats/retention', async (req) => {
    const q = parseWith(retentionQuery, req.query);
    return explore.retention(toRequest(q, now()), q.interval);
  });

  app.get('/api/funnels', async () => ({ items: ctx.funnels.list(), next: null }));

  app.put('/api/funnels/:name', async (req) => {
    const { name } = parseWith(funnelName, req.params);
    const body = parseWith(funnelSave, req.body ?? {}, 422);
    return ctx.funnels.save(name, body.steps, now());
  });

  app.delete('/api/funnels/:name', async (req, reply) => {
    const { name } = parseWith(funnelName, req.params);
    if (!ctx.funnels.delete(name)) throw new HttpError(404, `No saved funnel "${name}".`);
    return reply.status(204).send();
  });
}
