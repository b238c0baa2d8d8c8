import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context';
import { HttpError } from './errors';
import { DEBUG_SESSION_ID } from '../../shared/rules';
import { eventFilter, eventQuery, profileFilter, profileQuery, sessionFilter, sessionQuery } from './list-params';
import { parseWith } from './query';
import { listEvents } from './wait';
import type { InfoView } from '../../shared/api';

const sourceCreate = z.object({
  id: z.string().min(1).max(128).regex(/^[\w.:-]+$/, 'may hold letters, digits, and _ . : - only').optional(),
  name: z.string().trim().min(1, 'must not be empty').max(200),
  enabled: z.boolean().optional(),
});
const sourcePatch = z.object({ name: z.string().trim().min(1, 'must not be empty').max(200).optional(), enabled: z.boolean().optional() });

/** A user-agent pattern of Settings: a regular expression (checked here, so a bad one is a 422 naming it). */
const pattern = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200)
  .refine((src) => {
    try {
      new RegExp(src, 'i');
      return true;
    } catch {
      return false;
    }
  }, 'is not a valid regular expression');

const settingsPatch = z.object({
  sessionTimeout: z.number().positive().max(7 * 86400).optional(),
  sweepInterval: z.number().positive().max(3600).optional(),
  retentionDays: z.number().int().min(0).max(36500).optional(),
  keyEventTypes: z.array(z.string().trim().min(1).max(128)).max(100).optional(),
  trafficPatterns: z
    .object({ automation: z.array(pattern).max(50), bot: z.array(pattern).max(50) })
    .optional(),
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
    const { limit, cursor, order, sort, total, filter: filters, ...q } = parseWith(sessionQuery, req.query);
    const filter = sessionFilter(q);
    // Explore's filters (shared/explore.ts) are answered from its columns instead of SQL.
    if (filters !== undefined && filters.length > 0) {
      const page = await ctx.queries.explore.sessions(filters, filter, { limit, cursor, order, sort });
      return total ? { ...page, total: await ctx.queries.explore.countSessions(filters, filter) } : page;
    }
    const page = queries.listSessions(filter, { limit, cursor, order, sort });
    return total ? { ...page, total: queries.countSessions(filter), hidden: queries.hiddenSessions(filter) } : page;
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
    const { limit, cursor, order, sort, total, ...q } = parseWith(profileQuery, req.query);
    const filter = profileFilter(q);
    const page = queries.listProfiles(filter, { limit, cursor, order, sort });
    if (!total) return page;
    const n = queries.countProfiles(filter);
    return { ...page, total: n, hidden: queries.hiddenProfiles(filter, n) };
  });

  app.get('/api/profiles/:id', async (req) => {
    const { id } = parseWith(idParam, req.params);
    const p = queries.getProfile(id);
    if (!p) throw new HttpError(404, `No profile "${id}".`);
    return p;
  });

  app.get('/api/events', async (req) => {
    const { limit, cursor, order, total, wait, min, ...q } = parseWith(eventQuery, req.query);
    return listEvents(ctx, req, eventFilter(q, req.query), { limit, cursor, order }, { total: total === true, wait, min });
  });

  app.get('/api/events/:id', async (req) => {
    const { id } = parseWith(idParam, req.params);
    const e = ctx.queries.events.getEvent(id);
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
