import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context';
import type { SummaryView } from '../../shared/api';
import { HttpError } from './errors';
import { pageParams, parseWith } from './query';

const resetBody = z.object({ confirm: z.string().optional() });
const endBody = z.object({ idleSeconds: z.number({ error: 'must be a number of seconds (0: every active session)' }).min(0).max(365 * 86400) });
const rejectedQuery = z.object({ limit: pageParams.limit, cursor: pageParams.cursor });

/**
 * The tester's API: what an automated tracking test asks before and after it drives a site
 * (see testing/footfall-client.ts). `GET /api/events?wait=&min=` is the event list's (wait.ts).
 */
export function registerTester(app: FastifyInstance, ctx: AppContext): void {
  app.get('/api/summary', async (): Promise<SummaryView> => ctx.queries.summary.summary(ctx.rejected.count()));

  app.post('/api/reset', async (req) => {
    const { confirm } = parseWith(resetBody, req.body ?? {}, 400);
    if (confirm !== 'reset') {
      throw new HttpError(400, 'confirm: send {"confirm": "reset"} to delete every event, session, profile, figure and rejected request (sources and settings stay).');
    }
    const deleted = ctx.engine.deleteEverything();
    return { deleted: { ...deleted, rejected: ctx.rejected.clear() } };
  });

  app.post('/api/sessions/end', async (req) => {
    const { idleSeconds } = parseWith(endBody, req.body ?? {}, 422);
    return { ended: await ctx.engine.endIdleSessions(idleSeconds * 1000) };
  });

  app.get('/api/rejected', async (req) => {
    const { limit, cursor } = parseWith(rejectedQuery, req.query);
    return ctx.rejected.list(limit, cursor);
  });

  app.delete('/api/rejected', async () => ({ deleted: ctx.rejected.clear() }));
}
