import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../context';
import type { Page } from '../../shared/api';
import { csvHeader, csvLine, EXPORT_COLUMNS, type ExportKind } from './export-columns';
import { eventExportQuery, eventFilter, profileExportQuery, profileFilter, sessionExportQuery, sessionFilter } from './list-params';
import { parseWith } from './query';

/** Rows read at a time: a page of the list, read whole (no statement open across a write to the socket). */
const PAGE_ROWS = 500;

type Format = 'ndjson' | 'csv';

/**
 * `GET /api/export/{events,sessions,profiles}.{ndjson,csv}`: every item the list's filters
 * match, streamed in constant memory. The list is read a keyset page at a time, each page
 * only when the socket has taken the one before (Readable.from pulls as it drains), so a
 * million events need no more memory than a page of them.
 */
export function registerExport(app: FastifyInstance, ctx: AppContext): void {
  const { lists, events } = ctx.queries;
  const route = <Q>(kind: ExportKind, parse: (raw: unknown) => Q, pageOf: (q: Q, cursor: string | undefined) => Page<unknown> | Promise<Page<unknown>>) => {
    for (const format of ['ndjson', 'csv'] as const) {
      app.get(`/api/export/${kind}.${format}`, async (req, reply) => {
        const q = parse(req.query);
        return send(reply, kind, format, pages((cursor) => pageOf(q, cursor)), ctx.clock.now());
      });
    }
  };
  route(
    'events',
    (raw) => {
      const q = parseWith(eventExportQuery, raw);
      return { f: eventFilter(q, raw), order: q.order };
    },
    (q, cursor) => events.listEvents(q.f, { limit: PAGE_ROWS, cursor, order: q.order }),
  );
  route(
    'sessions',
    (raw) => {
      const { filter: filters, ...q } = parseWith(sessionExportQuery, raw);
      return { f: sessionFilter(q), filters: filters ?? [], sort: q.sort, order: q.order };
    },
    // Under explore's filters the list is answered from its columns, as GET /api/sessions is.
    (q, cursor) => {
      const o = { limit: PAGE_ROWS, cursor, sort: q.sort, order: q.order };
      return q.filters.length > 0 ? ctx.queries.explore.sessions(q.filters, q.f, o) : lists.listSessions(q.f, o);
    },
  );
  route(
    'profiles',
    (raw) => {
      const q = parseWith(profileExportQuery, raw);
      return { f: profileFilter(q), sort: q.sort, order: q.order };
    },
    (q, cursor) => lists.listProfiles(q.f, { limit: PAGE_ROWS, cursor, sort: q.sort, order: q.order }),
  );
}

/** The items of every page, one page at a time, each read when the one before has been taken. */
async function* pages(read: (cursor: string | undefined) => Page<unknown> | Promise<Page<unknown>>): AsyncGenerator<unknown[]> {
  let cursor: string | undefined;
  for (;;) {
    const page = await read(cursor);
    yield page.items;
    if (page.next === null) return;
    cursor = page.next;
  }
}

function send(reply: FastifyReply, kind: ExportKind, format: Format, items: AsyncGenerator<unknown[]>, now: number): FastifyReply {
  const stamp = new Date(now).toISOString().slice(0, 19).replace(/[:T]/g, '-');
  const columns = EXPORT_COLUMNS[kind];
  async function* chunks(): AsyncGenerator<string> {
    if (format === 'csv') yield csvHeader(columns);
    for await (const page of items) {
      let chunk = '';
      for (const item of page) chunk += format === 'csv' ? csvLine(columns, item) : `${JSON.stringify(item)}\n`;
      if (chunk !== '') yield chunk;
    }
  }
  reply.header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
  reply.header('content-disposition', `attachment; filename="footfall-${kind}-${stamp}.${format}"`);
  reply.header('cache-control', 'no-store');
  return reply.send(Readable.from(chunks(), { objectMode: false }));
}
