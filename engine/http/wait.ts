import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context';
import type { EventFilter } from '../queries/events';
import type { ListOptions } from '../queries/lists';
import type { EventView, Page } from '../../shared/api';

export interface EventListExtras {
  /** Add `total` and `hidden` (the events the traffic filter leaves out, by class). */
  total: boolean;
  /** Seconds to wait for `min` events to match (the tester's API). */
  wait?: number | undefined;
  min?: number | undefined;
}

/**
 * `GET /api/events`, the event list; with `wait` and `min`, answered once at least `min`
 * events match (at once if they do already), or after `wait` seconds with `timedOut: true`.
 * Waiting listens to the engine's commits, so the answer comes as soon as the commit that
 * stored the last one is done: no polling.
 */
export async function listEvents(ctx: AppContext, req: FastifyRequest, f: EventFilter, o: ListOptions<never>, x: EventListExtras): Promise<Page<EventView>> {
  const events = ctx.queries.events;
  let timedOut: boolean | undefined;
  if (x.wait !== undefined || x.min !== undefined) {
    const min = x.min ?? 1;
    timedOut = !(await matched(ctx, req, () => events.countEvents(f, min) >= min, (x.wait ?? 0) * 1000));
  }
  const page = events.listEvents(f, o);
  const answer: Page<EventView> = x.total ? { ...page, total: events.countEvents(f, Number.MAX_SAFE_INTEGER), hidden: events.hiddenEvents(f) } : page;
  return timedOut === undefined ? answer : { ...answer, timedOut };
}

/**
 * Resolves true once `holds()` does, checked now and after each commit that stored events;
 * false after `ms`, or when the client went away. Checks run outside the commit's own
 * listener call (a read may write the counters first, and the engine is still telling
 * its listeners), at most one pending at a time.
 */
function matched(ctx: AppContext, req: FastifyRequest, holds: () => boolean, ms: number): Promise<boolean> {
  if (holds()) return Promise.resolve(true);
  if (ms <= 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    let pending = false;
    const done = (ok: boolean) => {
      unsubscribe();
      clearTimeout(timer);
      req.raw.off('close', gone);
      resolve(ok);
    };
    const gone = () => done(false);
    const timer = setTimeout(() => done(false), ms);
    const unsubscribe = ctx.engine.onCommit((n) => {
      if (n.events.length === 0 || pending) return;
      pending = true;
      setImmediate(() => {
        pending = false;
        if (holds()) done(true);
      });
    });
    req.raw.on('close', gone);
  });
}
