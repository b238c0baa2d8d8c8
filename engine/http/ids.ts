import type { FastifyInstance } from 'fastify';
import { ID_IN_QUERY } from '../../shared/paths';

/**
 * Every `:id` route takes the id from `?id=` when its path segment is the placeholder
 * (shared/paths.ts): how the dashboard names the ids `.` and `..`, which a browser cannot
 * put in a path. Installed once for all routes, so a new `:id` route takes them too.
 */
export function installIdInQuery(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    const params = req.params as Record<string, string> | undefined;
    if (params?.id !== ID_IN_QUERY) return;
    const q = (req.query as Record<string, unknown>).id;
    if (typeof q === 'string') params.id = q;
  });
}
