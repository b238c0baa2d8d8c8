import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Answers for requests refused below the routes, in the contract's `{"detail"}` shape:
 * Node's HTTP parser (which never reaches Fastify's error handler), Fastify's router (a
 * path that does not decode, a segment too long), and a request arriving while stopping.
 * Fastify's own answers there are `{error, message, statusCode}`.
 */

/** Longest path segment (an id, percent-encoded) the router takes: 128 characters × 9 bytes as %XX. */
export const MAX_PARAM_LENGTH = 2048;

/** What a parse error of Node's HTTP parser (`err.code`) means to the client. */
const PARSER_ERRORS: Record<string, [status: number, detail: string]> = {
  HPE_HEADER_OVERFLOW: [431, 'The request headers are too large (more than 16 KB together): send fewer or shorter headers.'],
  HPE_INVALID_CHUNK_SIZE: [400, 'Transfer-Encoding: chunked, but a chunk size is not a hexadecimal number.'],
  HPE_UNEXPECTED_CONTENT_LENGTH: [400, 'Content-Length is given twice, or together with Transfer-Encoding: send one Content-Length, or Transfer-Encoding: chunked alone.'],
  HPE_INVALID_CONTENT_LENGTH: [400, 'Content-Length is not a number of bytes.'],
  HPE_INVALID_TRANSFER_ENCODING: [400, 'Transfer-Encoding is not chunked, or comes with a Content-Length: send one Content-Length, or Transfer-Encoding: chunked alone.'],
  HPE_INVALID_METHOD: [400, 'The request line has an unknown method: use GET, POST, PATCH, DELETE, HEAD or OPTIONS.'],
  HPE_INVALID_HEADER_TOKEN: [400, 'A header name or value holds a character HTTP does not allow (a space, a control character).'],
  HPE_INVALID_URL: [400, 'The request line has a target that is not a URL path.'],
  HPE_INVALID_VERSION: [400, 'The request line has an HTTP version other than 1.0 or 1.1.'],
  HPE_INVALID_CONSTANT: [400, 'The request line is not "METHOD /path HTTP/1.1".'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [400, 'A chunk of the body has extensions too large.'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'The request did not arrive in full in time; send it again.'],
};

function json(status: number, detail: string): string {
  const body = JSON.stringify({ detail });
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/** Fastify's `clientErrorHandler`: a raw HTTP answer, as the request never became one. */
export function clientErrorHandler(err: Error & { code?: string; reason?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const known = err.code === undefined ? undefined : PARSER_ERRORS[err.code];
  const reason = err.reason ?? err.message;
  const [status, detail] = known ?? [400, `The request is not valid HTTP/1.1 (${reason}).`];
  // The parser's own words say which header or byte it stopped at.
  const said = known && reason ? `${detail} (${reason})` : detail;
  if (socket.writable) socket.end(json(status, said));
  // Bytes the client is still sending would turn a close into a reset that loses the answer:
  // give the answer a moment to leave first.
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** Fastify's `frameworkErrors`: the router refusing a path before any hook or handler. */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const path = req.url.split('?')[0]!;
  switch (err.code) {
    case 'FST_ERR_BAD_URL':
      void reply.status(400).send({ detail: `The path "${path.slice(0, 200)}" is not valid percent-encoding (a % must be followed by two hex digits of UTF-8).` });
      return;
    case 'FST_ERR_MAX_PARAM_LENGTH':
      void reply.status(414).send({ detail: `A segment of the path is longer than ${MAX_PARAM_LENGTH} characters; ids are at most 128 characters.` });
      return;
    default:
      void reply.status(err.statusCode ?? 500).send({ detail: err.message });
  }
}

/**
 * Requests arriving while Footfall stops (on a connection kept alive) are refused with 503
 * and a detail; Fastify's own refusal (`return503OnClosing`) is turned off for this one.
 */
export function installClosingAnswer(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_req, reply) => {
    if (!closing) return undefined;
    return reply.status(503).header('connection', 'close').send({ detail: 'Footfall is shutting down; retry in a moment.' });
  });
}
