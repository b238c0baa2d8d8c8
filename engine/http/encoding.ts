import { Transform, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { HttpError } from './errors';

/**
 * Compressed request bodies (`Content-Encoding`): a tracker or a proxy in front of it may
 * compress. Decoded before parsing, with the body limit counted on the decoded bytes, so a
 * small body that inflates to gigabytes (a zip bomb) is refused at the limit, not inflated.
 */

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  // HTTP's "deflate" is the zlib format (RFC 9110), what CompressionStream('deflate') makes.
  deflate: createInflate,
  br: createBrotliDecompress,
};

/** The decoded body as Fastify reads it, and how many encoded bytes came in (its Content-Length check). */
export type DecodedBody = Transform & { receivedEncodedLength: number };

/**
 * `source` decoded from `encoding`, erroring with a 413 once more than `limit` decoded
 * bytes come out (the decoder is then destroyed and `source` no longer read), or with a 400
 * when the bytes are not that encoding. Null for an encoding Footfall does not decode.
 */
export function decodedBody(source: Readable, encoding: string, limit: number): DecodedBody | null {
  const make = DECODERS[encoding];
  if (make === undefined) return null;
  const decoder = make();
  let decoded = 0;
  const out = new Transform({
    transform(chunk: Buffer, _enc, done) {
      decoded += chunk.length;
      if (decoded > limit) {
        done(new HttpError(413, `Request body, decoded from ${encoding}, is larger than ${limit} bytes, the limit; send fewer events per request.`));
        return;
      }
      done(null, chunk);
    },
  }) as DecodedBody;
  out.receivedEncodedLength = 0;
  const count = (c: Buffer) => {
    out.receivedEncodedLength += c.length;
  };
  source.on('data', count);
  const stop = () => {
    source.removeListener('data', count);
    source.unpipe(decoder);
    decoder.destroy();
  };
  decoder.on('error', (err: Error) => {
    stop();
    out.destroy(new HttpError(400, `The body is not valid ${encoding} data (Content-Encoding: ${encoding}): ${err.message}.`));
  });
  out.on('error', stop);
  out.on('close', stop);
  source.pipe(decoder).pipe(out);
  return out;
}

/** Decodes every request body that names a Content-Encoding; 415 for one it does not know. */
export function installBodyDecoding(app: FastifyInstance, limit: number): void {
  app.addHook('preParsing', async (req, _reply, payload) => {
    const header = req.headers['content-encoding'];
    if (header === undefined) return payload;
    const encoding = header.trim().toLowerCase();
    if (encoding === 'identity' || encoding === '') return payload;
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (!hasBody) return payload;
    const decoded = decodedBody(payload, encoding, limit);
    if (decoded === null) {
      throw new HttpError(415, `Content-Encoding "${header}" is not one Footfall decodes: send the body as it is, or compressed with gzip, deflate or br.`);
    }
    return decoded;
  });
}
