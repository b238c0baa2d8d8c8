import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../context';
import { HttpError } from './errors';
import { parseTrackPayload, type TrackResponse } from '../../shared/track';
import { registerTracker } from './tracker';

/** CORS for the collector only: any page may send events; the admin API stays closed. */
function openCors(reply: FastifyReply, requestHeaders: string | undefined): void {
  reply.header('access-control-allow-origin', '*');
  reply.header('access-control-allow-methods', 'POST, GET, OPTIONS');
  reply.header('access-control-allow-headers', requestHeaders ?? 'content-type');
  reply.header('access-control-max-age', '86400');
}

/** `POST /track`: validate, hand to the engine, answer once committed. */
export function registerCollector(app: FastifyInstance, ctx: AppContext): void {
  app.options('/track', async (req, reply) => {
    openCors(reply, req.headers['access-control-request-headers']);
    return reply.status(204).send();
  });

  app.post('/track', async (req, reply): Promise<TrackResponse> => {
    const parsed = parseTrackPayload(req.body);
    if (!parsed.ok) throw new HttpError(422, parsed.detail);
    return ctx.engine.track(parsed.payload, { userAgent: req.headers['user-agent'] ?? null });
  });

}

/**
 * Registers the public part of the server in its own scope, so its CORS hook covers every
 * answer of it (errors from parsing, size and media type included, or the page's script
 * could not read why it was refused) and nothing else.
 */
export async function collectorPlugin(scope: FastifyInstance, ctx: AppContext): Promise<void> {
  scope.addHook('onSend', async (req, reply, payload) => {
    if (req.method !== 'OPTIONS') openCors(reply, undefined);
    return payload;
  });
  registerCollector(scope, ctx);
  registerTracker(scope, ctx);
}
