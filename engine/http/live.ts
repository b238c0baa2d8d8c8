import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LiveMessage } from '../../shared/api';
import type { CommitNotice, SessionEngine } from '../sessions/engine';
import type { ListQueries } from '../queries/lists';

/**
 * The live stream (`GET /api/live`): Server-Sent Events of every committed event and of
 * sessions starting and ending. Work is done only while someone is listening.
 */
export class LiveHub {
  private readonly clients = new Set<FastifyReply>();
  private unsubscribe: (() => void) | null = null;
  private ping: NodeJS.Timeout | null = null;

  constructor(
    private readonly engine: SessionEngine,
    private readonly queries: ListQueries,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  attach(req: FastifyRequest, reply: FastifyReply): void {
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // A HEAD answer has no body, and Node sends a head only with one: end it here, or the
    // client waits forever.
    if (req.method === 'HEAD') {
      reply.raw.end();
      return;
    }
    reply.raw.write(': footfall live stream\nretry: 2000\n\n');
    this.clients.add(reply);
    req.raw.on('close', () => this.detach(reply));
    if (!this.unsubscribe) {
      this.unsubscribe = this.engine.onCommit((n) => this.broadcast(n));
      this.ping = setInterval(() => this.write(': ping\n\n'), 15_000);
      this.ping.unref();
    }
  }

  private detach(reply: FastifyReply): void {
    this.clients.delete(reply);
    if (this.clients.size === 0) this.stopListening();
  }

  private stopListening(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.ping) clearInterval(this.ping);
    this.ping = null;
  }

  private broadcast(n: CommitNotice): void {
    const messages: LiveMessage[] = [];
    for (const session of this.queries.getSessionsByPk(n.started)) messages.push({ kind: 'session-started', session });
    for (const event of this.queries.getEventsByPk(n.events)) messages.push({ kind: 'event', event });
    for (const session of this.queries.getSessionsByPk(n.ended)) messages.push({ kind: 'session-ended', session });
    let chunk = '';
    for (const m of messages) chunk += `event: ${m.kind}\ndata: ${JSON.stringify(m)}\n\n`;
    this.write(chunk);
  }

  private write(chunk: string): void {
    for (const c of this.clients) c.raw.write(chunk);
  }

  /** Ends every stream (at shutdown, so the server can close). */
  close(): void {
    for (const c of this.clients) c.raw.end();
    this.clients.clear();
    this.stopListening();
  }
}
