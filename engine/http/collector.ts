import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context';
import { HttpError } from './errors';
import { parseTrackPayload, type ErrorResponse, type TrackResponse } from '../../shared/track';
import { registerTracker } from './tracker';
import { installRefusedBodyReader } from './raw-body';
import { LIMITS } from '../../shared/limits';

/** The refusals a tester is shown in the rejected log: what the request itself got wrong. */
const KEPT_REFUSALS: ReadonlySet<number> = new Set([400, 401, 413, 415, 422]);

/**
 * Said in `warnings`, not dropped silently: the JSON parser removes `__proto__` keys (they
 * would reach object prototypes). Read off the raw text, and only when it has the word.
 */
function droppedKeys(raw: string | null): string[] | null {
  return raw !== null && raw.includes('"__proto__"') ? ['A key named "__proto__" was left out: it is never stored.'] : null;
}

/**
 * Writes a refused /track request to the rejected log, outside the engine's transactions.
 * A failure to keep it (a full disk) is logged and never changes the answer.
 */
function keepRejected(ctx: AppContext, req: FastifyRequest, status: number, payload: unknown): void {
  try {
    const body = req.body as { source?: { id?: unknown } } | null | undefined;
    const sourceId = typeof body?.source?.id === 'string' ? body.source.id : null;
    let detail = '';
    try {
      detail = String((JSON.parse(String(payload)) as ErrorResponse).detail ?? '');
    } catch {
      detail = String(payload);
    }
    const header = (name: string) => {
      const v = req.headers[name];
      return typeof v === 'string' ? v.slice(0, 1024) : null;
    };
    ctx.rejected.record({ time: ctx.clock.now(), status, detail, sourceId, origin: header('origin'), userAgent: header('user-agent'), body: req.rawBody });
  } catch (err) {
    ctx.log(`Could not keep a refused /track request in the rejected log: ${(err as Error).message}`);
  }
}

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

  app.post('/track', async (req): Promise<TrackResponse> => {
    const parsed = parseTrackPayload(req.body);
    if (!parsed.ok) throw new HttpError(422, parsed.detail);
    const warnings = droppedKeys(req.rawBody);
    return ctx.engine.track(parsed.payload, { userAgent: req.headers['user-agent'] ?? null, ...(warnings ? { warnings } : {}) });
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
    if (req.method === 'POST' && KEPT_REFUSALS.has(reply.statusCode)) keepRejected(ctx, req, reply.statusCode, payload);
    return payload;
  });
  installRefusedBodyReader(scope, LIMITS.bodyBytes);
  registerCollector(scope, ctx);
  registerTracker(scope, ctx);
}
