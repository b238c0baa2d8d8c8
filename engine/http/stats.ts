import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context';
import { HttpError } from './errors';
import { MAX_HOURLY_DAYS, previousOf } from '../queries/stats';
import { isTimeZone } from '../queries/tz';
import { DAY_MS, HOUR_MS } from '../../shared/rules';
import { MAX_RANGE_DAYS, STATS_DIMS, type StatsInterval } from '../../shared/stats';
import { filterParam, parseWith, timeParam } from './query';
import { trafficParams, trafficSet } from './traffic';
import type { ExploreRequest } from '../queries/explore';
import { PROP_PREFIX } from '../../shared/explore';

const rangeParams = {
  from: timeParam.optional(),
  to: timeParam.optional(),
  tz: z
    .string()
    .max(64)
    .refine(isTimeZone, 'is not an IANA time zone (like Europe/Warsaw or UTC)')
    .optional(),
  ...trafficParams,
  filter: filterParam.optional(),
};

const rangeQuery = z.object(rangeParams);
const overviewQuery = z.object({ ...rangeParams, compareFrom: timeParam.optional(), compareTo: timeParam.optional() });
const timeseriesQuery = z.object({ ...rangeParams, interval: z.enum(['hour', 'day']).optional() });
const propDim = z.templateLiteral([PROP_PREFIX, z.string().min(1).max(256)]);
const breakdownQuery = z.object({
  ...rangeParams,
  dim: z.union([z.enum(STATS_DIMS), propDim], { error: `must be one of ${STATS_DIMS.join(', ')}, or prop.NAME` }),
  limit: z.coerce.number().int().min(1).max(100).default(10),
  /** For `prop.NAME`: the event type whose property it is. */
  type: z.string().min(1).max(128).optional(),
});

/** Defaults (the 7 days up to the next whole hour, UTC, people and automation) and range checks. */
export function toRequest(q: z.infer<typeof rangeQuery>, now: number): ExploreRequest {
  // The end of the hour that holds now (an event at 12:00:00.000 is in the hour from 12:00).
  const to = q.to ?? (Math.floor(now / HOUR_MS) + 1) * HOUR_MS;
  const from = q.from ?? to - 7 * DAY_MS;
  if (!(from < to)) throw new HttpError(400, 'from: must be before `to`.');
  if (to - from > MAX_RANGE_DAYS * DAY_MS) throw new HttpError(400, `to: the range is longer than ${MAX_RANGE_DAYS} days; ask for a shorter one.`);
  return { from, to, tz: q.tz ?? 'UTC', traffic: trafficSet(q), filters: q.filter ?? [] };
}

export { rangeParams };

/** The range the overview compares with, when asked for one (both ends, in order, not too long). */
function toCompare(q: z.infer<typeof overviewQuery>): { from: number; to: number } | undefined {
  const { compareFrom: from, compareTo: to } = q;
  if (from === undefined && to === undefined) return undefined;
  if (from === undefined || to === undefined) {
    throw new HttpError(400, `${from === undefined ? 'compareFrom' : 'compareTo'}: give both compareFrom and compareTo, or neither.`);
  }
  if (from > to) throw new HttpError(400, 'compareFrom: must not be after `compareTo`.');
  if (to - from > MAX_RANGE_DAYS * DAY_MS) throw new HttpError(400, `compareTo: the comparison range is longer than ${MAX_RANGE_DAYS} days; ask for a shorter one.`);
  return { from, to };
}

/**
 * The dashboard's stats routes, `GET /api/stats/...` (behind the admin token). All take the
 * range parameters of shared/stats.ts and `filter`; without a filter each answers from the
 * rollups in a few milliseconds, with one from explore's columns (engine/explore). Distinct
 * visitors are no rollup: once the columns are in memory they are counted there.
 */
export function registerStats(app: FastifyInstance, ctx: AppContext): void {
  const { stats, explore } = ctx.queries;
  const now = () => ctx.clock.now();
  const filtered = (r: ExploreRequest) => r.filters.length > 0;

  app.get('/api/stats/overview', async (req) => {
    const q = parseWith(overviewQuery, req.query);
    const r = toRequest(q, now());
    const compare = toCompare(q);
    if (filtered(r)) return explore.overview(r, compare);
    const visitors = await explore.visitors([r, previousOf(r, compare)]);
    return stats.overview(r, compare, visitors ? [visitors[0]!, visitors[1]!] : undefined);
  });

  app.get('/api/stats/timeseries', async (req) => {
    const q = parseWith(timeseriesQuery, req.query);
    const r = toRequest(q, now());
    const interval: StatsInterval = q.interval ?? (r.to - r.from <= 3 * DAY_MS ? 'hour' : 'day');
    if (interval === 'hour' && r.to - r.from > MAX_HOURLY_DAYS * DAY_MS) {
      throw new HttpError(400, `interval: hourly buckets are for ranges up to ${MAX_HOURLY_DAYS} days; use interval=day.`);
    }
    return filtered(r) ? explore.timeseries(r, interval) : stats.timeseries(r, interval);
  });

  app.get('/api/stats/breakdown', async (req) => {
    const q = parseWith(breakdownQuery, req.query);
    const r = toRequest(q, now());
    if (q.dim.startsWith(PROP_PREFIX)) return explore.breakdown(r, q.dim, q.limit, q.type);
    const dim = q.dim as (typeof STATS_DIMS)[number];
    return filtered(r) ? explore.breakdown(r, dim, q.limit) : stats.breakdown(r, dim, q.limit);
  });

  app.get('/api/stats/heatmap', async (req) => {
    const r = toRequest(parseWith(rangeQuery, req.query), now());
    return filtered(r) ? explore.heatmap(r) : stats.heatmap(r);
  });

  app.get('/api/stats/visits-per-profile', async (req) => {
    const r = toRequest(parseWith(rangeQuery, req.query), now());
    // Without a filter too, once explore's columns are in memory: a few ms where SQL reads
    // every visit of the range (~80 ms for 90 days at ten million events).
    return filtered(r) || explore.inMemory() ? explore.visitsPerProfile(r) : stats.visitsPerProfile(r);
  });
}
