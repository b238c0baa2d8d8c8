import type { FastifyInstance, FastifyRequest } from 'fastify';
import { wellFormed } from '../util/text';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The body's text as the JSON parser got it (after Content-Encoding), or null when it
     * was not read: what the rejected log keeps of a refused /track request, malformed JSON
     * included.
     */
    rawBody: string | null;
  }
}

/**
 * JSON bodies, as `application/json` and as `text/plain` (sendBeacon can send only that),
 * parsed by Fastify's own parser (a key named __proto__ or constructor is dropped, not a
 * reason to refuse), with the text kept on the request: one assignment, the string exists
 * anyway.
 */
type Done = (err: Error | null, body?: unknown) => void;

export function installJsonParsers(app: FastifyInstance, bodyLimit: number): void {
  app.decorateRequest('rawBody', null);
  // Declared as either form of parser; Fastify's own is the callback form (defaultJsonParser).
  const json = app.getDefaultJsonParser('remove', 'remove') as (req: FastifyRequest, body: string, done: Done) => void;
  const keepingText = (req: FastifyRequest, body: string, done: Done) => {
    req.rawBody = body;
    // A `\ud800` escape is the one way a lone surrogate gets in (bytes that are not UTF-8
    // decode as U+FFFD already): only a body with an escape is walked.
    if (!body.includes('\\u')) return json(req, body, done);
    json(req, body, (err, value) => (err ? done(err) : done(null, wellFormedValue(value))));
  };
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, keepingText);
  app.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit }, keepingText);
}

/**
 * For the collector's scope: a body of any other content type is still refused with 415
 * (errors.ts words it), but read first, so the rejected log shows what the page sent (a
 * form, a FormData upload). Only refused requests come here.
 */
export function installRefusedBodyReader(scope: FastifyInstance, bodyLimit: number): void {
  scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (req: FastifyRequest, body: string, done: Done) => {
    req.rawBody = body;
    done(Object.assign(new Error('Unsupported Media Type'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 }));
  });
}

/** `v` with every string in it, keys included, well-formed (see wellFormed). */
function wellFormedValue(v: unknown): unknown {
  if (typeof v === 'string') return wellFormed(v);
  if (Array.isArray(v)) return v.map(wellFormedValue);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  // (__proto__ keys were dropped by the parser: none reaches this assignment.)
  for (const [k, x] of Object.entries(v)) out[wellFormed(k)] = wellFormedValue(x);
  return out;
}
