import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hostRefusal } from './host';
import { repeatedParam } from './query';

/**
 * Checks of a request's shape that come before the token check, so a malformed request
 * hears what is malformed: one well-formed Host header on everything but the public
 * collector (which answers any Host: a phone on the LAN uses whatever name it has), and no
 * parameter given twice on the admin API.
 */
export function installRequestChecks(app: FastifyInstance, paths: { isPublic(req: FastifyRequest): boolean; isApi(req: FastifyRequest): boolean }): void {
  app.addHook('onRequest', async (req, reply) => {
    if (paths.isPublic(req)) return undefined;
    const badHost = hostRefusal(req.raw.rawHeaders, req.headers.host);
    if (badHost !== null) return reply.status(400).send({ detail: badHost });
    if (paths.isApi(req)) {
      const repeated = repeatedParam(req.query);
      if (repeated !== null) return reply.status(400).send({ detail: repeated });
    }
    return undefined;
  });
}
