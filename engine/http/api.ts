import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context';
import { HttpError } from './errors';
import { DEBUG_SESSION_ID } from '../../shared/rules';
import { PROFILE_SORTS, SESSION_SORTS, type ProfileSort, type SessionSort } from '../queries/lists';
import { boolParam, filterParam, pageParams, parseWith, timeParam } from './query';
import type { InfoView } from '../../shared/api';

const sessionQuery = z.object({
  ...pageParams,
  sort: z.enum(Object.keys(SESSION_SORTS) as [SessionSort, ...SessionSort[]]).optional(),
  status: z.enum(['active', 'ended']).optional(),
  device: z.string().max(64).optional(),
  channel: z.string().max(64).optional(),
  browser: z.string().max(128).optional(),
  os: z.string().max(128).optional(),
  source: z.string().max(128).optional(),
  profile: z.string().max(128).optional(),
  from: timeParam.optional(),
  to: timeParam.optional(),
  debug: boolParam.optional(),
  bot: boolParam.optional(),
  /** Explore's filters (shared/explore.ts): answered from its columns instead of SQL. */
  filter: filterParam.optional(),
  total: boolParam.optional(),
});

const profileQuery = z.object({
  ...pageParams,
  sort: z.enum(Object.keys(PROFILE_SORTS) as [ProfileSort, ...ProfileSort[]]).optional(),
  id: z.string().max(128).optional(),
  debug: boolParam.optional(),
  bot: boolParam.optional(),
});

const eventQuery = z.object({
  ...pageParams,
  session: z.string().max(256).optional(),
  profile: z.string().max(128).optional(),
  type: z.string().max(128).optional(),
  from: timeParam.optional(),
  to: timeParam.optional(),
  debug: boolParam.optional(),
  system: boolParam.optional(),
});

const sourceCreate = z.object({
  id: z.string().min(1).max(128).regex(/^[\w.:-]+$/, 'may hold letters, digits, and _ . : - only').optional(),
  name: z.string().trim().min(1, 'must not be empty').max(200),
  enabled: z.boolean().optional(),
});
const sourcePatch = z.object({ name: z.string().trim().min(1, 'must not be empty').max(200).optional(), enabled: z.boolean().optional() });

const settingsPatch = z.object({
  sessionTimeout: z.number().positive().max(7 * 86400).optional(),
  sweepInterval: z.number().positive().max(3600).optional(),
  retentionDays: z.number().int().min(0).max(36500).optional(),
  keyEventTypes: z.array(z.string().trim().min(1).max(128)).max(100).optional(),
});

const idParam = z.object({ id: z.string().min(1).max(256) });

/** The admin API routes (registered behind the token check). */
export function registerApi(app: FastifyInstance, ctx: AppContext): void {
  const queries = ctx.queries.lists;

  app.get('/api/info', async (): Promise<InfoView> => {
    const src = queries.getSource(ctx.defaultSourceId);
    return {
      version: ctx.version,
      collectorUrl: `http://${ctx.host.includes(':') ? `[${ctx.host}]` : ctx.host}:${ctx.port}`,
      defaultSource: { id: ctx.defaultSourceId, name: src?.name ?? 'Default source' },
      dataDir: ctx.dataDir,
    };
  });

  app.get('/api/sessions', async (req) => {
    const q = parseWith(sessionQuery, req.query);
    const { limit, cursor, order, sort, total, filter: filters, ...filter } = q;
    if (filters !== undefined && filters.length > 0) {
      const page = await ctx.queries.explore.sessions(filters, filter, { limit, cursor, order, sort });
      return total ? { ...page, total: await ctx.queries.explore.countSessions(filters, filter) } : page;
    }
    const page = queries.listSessions(filter, { limit, cursor, order, sort });
    return total ? { ...page, total: queries.countSessions(filter) } : page;
  });

  app.get('/api/sessions/:id', async (req) => {
    const { id } = parseWith(idParam, req.params);
    const s = queries.getSession(id);
    if (!s) throw new HttpError(404, `No session "${id}".`);
    return s;
  });

  app.post('/api/sessions/:id/end', async (req) => {
    const { id } = parseWith(idParam, req.params);
    if (id === DEBUG_SESSION_ID) throw new HttpError(409, 'The debug session never ends; delete debug data in Settings instead.');
    const r = ctx.engine.endSessionById(id, 'api');
    if (r === 'not-found') throw new HttpError(404, `No session "${id}".`);
    return queries.getSession(id);
  });

  app.get('/api/profiles', async (req) => {
    const { limit, cursor, order, sort, ...filter } = parseWith(profileQuery, req.query);
    return queries.listProfiles(filter, { limit, cursor, order, sort });
  });

  app.get('/api/profiles/:id', async (req) => {
    const { id } = parseWith(idParam, req.params);
    const p = queries.getProfile(id);
    if (!p) throw new HttpError(404, `No profile "${id}".`);
    return p;
  });

  app.get('/api/events', async (req) => {
    const { limit, cursor, order, ...filter } = parseWith(eventQuery, req.query);
    return queries.listEvents(filter, { limit, cursor, order });
  });

  app.get('/api/events/:id', async (req) => {
    const { id } = parseWith(idParam, req.params);
    const e = queries.getEvent(id);
    if (!e) throw new HttpError(404, `No event "${id}".`);
    return e;
  });

  app.get('/api/sources', async () => queries.listSources());

  app.post('/api/sources', async (req, reply) => {
    const body = parseWith(sourceCreate, req.body ?? {}, 422);
    const id = ctx.sources.create(body, ctx.clock.now());
    return reply.status(201).send(queries.getSource(id));
  });

  app.patch('/api/sources/:id', async (req) => {
    const { id } = parseWith(idParam, req.params);
    ctx.sources.update(id, parseWith(sourcePatch, req.body ?? {}, 422));
    return queries.getSource(id);
  });

  app.delete('/api/sources/:id', async (req, reply) => {
    const { id } = parseWith(idParam, req.params);
    ctx.sources.remove(id);
    return reply.status(204).send();
  });

  app.get('/api/settings', async () => ctx.settings());

  app.delete('/api/debug-data', async () => ({ deleted: ctx.engine.deleteDebugData() }));

  app.patch('/api/settings', async (req) => ctx.updateSettings(parseWith(settingsPatch, req.body ?? {}, 422)));
}
