import { z } from 'zod';
import type { EventFilter } from '../queries/events';
import { PROFILE_SORTS, SESSION_SORTS, type ProfileFilter, type ProfileSort, type SessionFilter, type SessionSort } from '../queries/lists';
import { HttpError } from './errors';
import { boolParam, filterParam, pageParams, timeParam } from './query';
import { trafficParams, trafficSet, withoutTraffic } from './traffic';
import { VALIDATION_STATUSES, type ValidationStatus } from '../../shared/plan';

/**
 * The query strings of the three lists (`/api/sessions`, `/api/profiles`, `/api/events`),
 * parsed into the queries' filters: the lists and their export (`/api/export/...`) take the
 * same ones.
 */

const sessionFilters = {
  status: z.enum(['active', 'ended']).optional(),
  device: z.string().max(64).optional(),
  channel: z.string().max(64).optional(),
  browser: z.string().max(128).optional(),
  os: z.string().max(128).optional(),
  source: z.string().max(128).optional(),
  profile: z.string().max(128).optional(),
  from: timeParam.optional(),
  to: timeParam.optional(),
  ...trafficParams,
};
const sessionSort = { sort: z.enum(Object.keys(SESSION_SORTS) as [SessionSort, ...SessionSort[]]).optional(), order: pageParams.order };
/** `filter`: explore's filters (shared/explore.ts), answered from its columns. */
export const sessionQuery = z.object({ ...pageParams, ...sessionSort, ...sessionFilters, total: boolParam.optional(), filter: filterParam.optional() });
export const sessionExportQuery = z.object({ ...sessionSort, ...sessionFilters, filter: filterParam.optional() });

const profileFilters = { id: z.string().max(128).optional(), ...trafficParams };
const profileSort = { sort: z.enum(Object.keys(PROFILE_SORTS) as [ProfileSort, ...ProfileSort[]]).optional(), order: pageParams.order };
export const profileQuery = z.object({ ...pageParams, ...profileSort, ...profileFilters, total: boolParam.optional() });
export const profileExportQuery = z.object({ ...profileSort, ...profileFilters });

/** `validation=invalid` or a comma list (`invalid,unplanned`): the events with those verdicts against the tracking plan. */
const validationParam = z
  .string()
  .max(64)
  .transform((v, ctx) => {
    const names = v.split(',').map((x) => x.trim()).filter((x) => x !== '');
    const wrong = names.find((n) => !(VALIDATION_STATUSES as readonly string[]).includes(n));
    if (wrong !== undefined || names.length === 0) {
      ctx.addIssue({ code: 'custom', message: `${wrong === undefined ? 'is empty' : `"${wrong}" is not a verdict`} (give ${VALIDATION_STATUSES.join(', ')}, or a comma list of them)` });
      return z.NEVER;
    }
    return names as ValidationStatus[];
  });

const eventFilters = {
  session: z.string().max(256).optional(),
  profile: z.string().max(128).optional(),
  type: z.string().max(128).optional(),
  source: z.string().max(128).optional(),
  page: z.string().min(1).max(2048).optional(),
  from: timeParam.optional(),
  to: timeParam.optional(),
  system: boolParam.optional(),
  validation: validationParam.optional(),
  ...trafficParams,
};
/** The longest a tester's request may wait for its events (`wait=SECONDS`). */
export const MAX_WAIT_SECONDS = 60;
export const eventQuery = z.object({
  ...pageParams,
  ...eventFilters,
  total: boolParam.optional(),
  wait: z.coerce.number().min(0).max(MAX_WAIT_SECONDS, `must be at most ${MAX_WAIT_SECONDS} seconds`).optional(),
  min: z.coerce.number().int().min(1).max(100_000).optional(),
});
export const eventExportQuery = z.object({ order: pageParams.order, ...eventFilters });

/** A session list's filter: a profile's sessions are all of its classes unless `traffic` says otherwise. */
export function sessionFilter(q: z.infer<typeof sessionExportQuery>): SessionFilter {
  const { sort: _s, order: _o, ...f } = withoutTraffic(q);
  return { ...f, traffic: trafficSet(q, q.profile !== undefined) };
}

export function profileFilter(q: z.infer<typeof profileExportQuery>): ProfileFilter {
  return { ...(q.id !== undefined ? { id: q.id } : {}), traffic: trafficSet(q, q.id !== undefined) };
}

const PROP = 'prop.';

/**
 * An event list's filter, with its `prop.NAME=VALUE` parameters (a top-level property equal
 * to VALUE). One session's or profile's events are all of its classes unless `traffic` says
 * otherwise.
 */
export function eventFilter(q: z.infer<typeof eventExportQuery>, raw: unknown): EventFilter {
  const props: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(raw !== null && typeof raw === 'object' ? raw : {})) {
    if (!key.startsWith(PROP)) continue;
    const name = key.slice(PROP.length);
    if (name === '' || name.length > 128 || name.includes('"')) {
      throw new HttpError(400, `${key}: name a top-level property (prop.NAME=VALUE; up to 128 characters, no ").`);
    }
    if (typeof value !== 'string' || value.length > 1024) throw new HttpError(400, `${key}: give one value of up to 1024 characters.`);
    props.push([name, value]);
  }
  const { order: _o, ...f } = withoutTraffic(q);
  return { ...f, ...(props.length > 0 ? { props } : {}), traffic: trafficSet(q, q.session !== undefined || q.profile !== undefined) };
}
