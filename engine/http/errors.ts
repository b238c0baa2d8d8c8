import type { FastifyError, FastifyInstance } from 'fastify';
import { DomainError, isStorageFull, type ErrorKind } from '../errors';
import { LIMITS } from '../../shared/limits';
import { redactUrl } from './redact';

/** An error answered to an HTTP client as `{"detail": message}` with `status` (thrown by routes only). */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The answer to each domain error: the one place an engine failure becomes a status. */
const STATUS: Record<ErrorKind, number> = {
  'unknown-source': 401,
  'disabled-source': 401,
  // The body was within the size limit (that is 413): one event in it was not.
  'too-large': 422,
  paused: 503,
  closing: 503,
  'storage-full': 503,
  'storage-failing': 503,
  'not-found': 404,
  conflict: 409,
  'bad-cursor': 400,
  invalid: 422,
};

/** Maps every failure to the contract's `{"detail": "..."}` with the right status. */
export function installErrorHandlers(app: FastifyInstance, log: (msg: string) => void): void {
  app.setErrorHandler((err: FastifyError | HttpError | DomainError | Error, req, reply) => {
    if (err instanceof HttpError) return reply.status(err.status).send({ detail: err.message });
    if (err instanceof DomainError) return reply.status(STATUS[err.kind]).send({ detail: err.message });
    const code = (err as FastifyError).code;
    switch (code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply.status(413).send({ detail: `Request body is larger than ${LIMITS.bodyBytes} bytes, the limit; send fewer events per request.` });
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
        const ct = req.headers['content-type'] ?? '(none)';
        return reply.status(415).send({ detail: `Content-Type "${ct}" is not accepted: send JSON as application/json or text/plain.` });
      }
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return reply.status(400).send({ detail: 'The body is empty: send a JSON object.' });
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return reply.status(400).send({ detail: 'Content-Length does not match the body that was sent.' });
      case 'FST_ERR_VALIDATION':
        return reply.status(400).send({ detail: err.message });
      default:
        break;
    }
    // A full or failing disk under an admin write (ending a session, settings): the
    // transaction rolled back, so nothing changed; the person can free space and retry.
    if (isStorageFull(err)) {
      log(`Storage error on ${req.method} ${redactUrl(req.url)}: ${err.message}`);
      return reply.status(503).send({ detail: `Storage is full or failing (${err.message}): nothing was changed. Free disk space and retry.` });
    }
    // Damage deep in the file is not seen at start (a full check reads every page): it shows
    // at the first write that touches it. Say what it is and what to do, not "Internal error".
    if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
      log(`Database damaged, seen on ${req.method} ${redactUrl(req.url)}: ${err.message}`);
      return reply.status(503).send({
        detail: `The database file is damaged (${err.message}); nothing from this request was stored. Quit Footfall and restore a backup of footfall.db, or start it with another --data-dir.`,
      });
    }
    const status = (err as FastifyError).statusCode;
    if (err instanceof SyntaxError || code === 'FST_ERR_CTP_INVALID_JSON' || (status === 400 && /JSON|prototype|constructor/i.test(err.message))) {
      return reply.status(400).send({ detail: `Malformed JSON in the body: ${err.message}` });
    }
    if (status !== undefined && status >= 400 && status < 500) return reply.status(status).send({ detail: err.message });
    log(`Internal error on ${req.method} ${redactUrl(req.url)}: ${err.stack ?? err.message}`);
    return reply.status(500).send({ detail: `Internal error: ${err.message}` });
  });
}
