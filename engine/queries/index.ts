import type { DB } from '../db/database';
import type { ExploreStore } from '../explore/store';
import { CountQueries } from './counts';
import { EventQueries } from './events';
import { ExploreQueries } from './explore';
import { ListQueries } from './lists';
import { StatsQueries } from './stats';
import { SummaryQueries } from './summary';
import { PlanQueries } from './plan';

/** Every read the API and the desktop shell answer from, built in one place (buildQueries). */
export interface Queries {
  lists: ListQueries;
  events: EventQueries;
  stats: StatsQueries;
  counts: CountQueries;
  summary: SummaryQueries;
  /** The tracking plan's coverage. */
  plan: PlanQueries;
  /** Filtered figures, funnels, paths, retention, property breakdowns (engine/explore's columns). */
  explore: ExploreQueries;
  /**
   * The list reads without `beforeRead`, as the last commit left the rows: for the live
   * stream, which reports each commit as it was written (the dashboard adds each event
   * message after it to the counters of its session).
   */
  asCommitted: Pick<ListQueries, 'getSessionsByPk'> & Pick<EventQueries, 'getEventsByPk'>;
}

export interface QueryOptions {
  /**
   * Runs before every read: brings the rows the engine writes in batches up to date
   * (SessionEngine.syncCounters), so that every answer reflects every acknowledged event.
   */
  beforeRead: () => void;
  /** The key event types in force, which the overview states with its engaged rule. */
  keyEventTypes: () => readonly string[];
  /** The columns explore counts in (engine/explore/store.ts). */
  exploreStore: ExploreStore;
}

export function buildQueries(db: DB, opts: QueryOptions): Queries {
  const lists = new ListQueries(db);
  const events = new EventQueries(db);
  const stats = new StatsQueries(db, opts.keyEventTypes);
  return {
    lists: withBeforeRead(lists, opts.beforeRead),
    events: withBeforeRead(events, opts.beforeRead),
    stats: withBeforeRead(stats, opts.beforeRead),
    // Its own reads of the lists and stats go to the plain ones: it has synced already.
    explore: withBeforeRead(new ExploreQueries(opts.exploreStore, stats, lists, db, opts.keyEventTypes), opts.beforeRead),
    counts: withBeforeRead(new CountQueries(db), opts.beforeRead),
    summary: withBeforeRead(new SummaryQueries(db), opts.beforeRead),
    plan: withBeforeRead(new PlanQueries(db, stats), opts.beforeRead),
    asCommitted: { getSessionsByPk: (pks) => lists.getSessionsByPk(pks), getEventsByPk: (pks) => events.getEventsByPk(pks) },
  };
}

/**
 * `target`, with `beforeRead` run before each call of one of its methods from outside (its
 * calls of its own methods go to `target` itself). Freshness is then a property of how the
 * query classes are built, not something each method, route or hook must remember.
 */
function withBeforeRead<T extends object>(target: T, beforeRead: () => void): T {
  const wrapper = Object.create(target) as Record<string, unknown>;
  const proto = Object.getPrototypeOf(target) as object;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const method: unknown = Object.getOwnPropertyDescriptor(proto, name)?.value;
    if (name === 'constructor' || typeof method !== 'function') continue;
    wrapper[name] = (...args: unknown[]): unknown => {
      beforeRead();
      return (method as (...a: unknown[]) => unknown).apply(target, args);
    };
  }
  return wrapper as T;
}
