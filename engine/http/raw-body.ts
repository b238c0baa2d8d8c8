import type { FastifyInstance, FastifyRequest } from 'fastify';

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
    json(req, body, done);
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
