import type { DB } from '../db/database';
import type { ExploreData } from '../explore/data';
import type { ExploreStore } from '../explore/store';
import { activeNow, breakdownRows, distinctVisitors, hiddenFigures, hourlySessions, periodFigures, sessionsInRange, visitsPerProfile } from './figures';
import { matchFilters } from './filters';
import { funnelSteps, walkFunnel } from './funnel';
import type { ListOptions, ListQueries, SessionFilter, SessionSort } from './lists';
import { pathTree } from './paths';
import { listProperties, propertyValues } from './properties';
import { retention } from './retention';
import { listFilterTest, pageOfSessions } from './session-page';
import { breakdownFrom, heatmapFrom, overviewFrom, previousOf, rangeOf, timeseriesFrom, type StatsQueries, type StatsRequest } from './stats';
import type { Page, SessionView } from '../../shared/api';
import { PROP_PREFIX, formatFilter, type Filter, type FunnelStats, type FunnelStep, type PathsStats, type PropertiesStats, type RetentionInterval, type RetentionStats } from '../../shared/explore';
import type { BreakdownStats, HeatmapStats, OverviewStats, StatsDim, StatsInterval, TimeseriesStats, VisitsPerProfileStats } from '../../shared/stats';

const MATCHES_KEPT = 8;

/** A stats request with the contract's filters (`filter=DIM:VALUE`, repeatable). */
export interface ExploreRequest extends StatsRequest {
  filters: readonly Filter[];
}

/**
 * Everything explore answers: the dashboard's figures under filters, property breakdowns,
 * funnels, paths, retention and filtered session lists. Each call waits for the store to
 * catch up with what is committed, then counts in memory.
 */
export class ExploreQueries {
  constructor(
    private readonly store: ExploreStore,
    private readonly stats: StatsQueries,
    private readonly lists: ListQueries,
    private readonly db: DB,
    private readonly keyEventTypes: () => readonly string[],
  ) {
    // Matches of dropped data would hold its columns in memory beside the new ones.
    store.onDrop(() => this.matches.clear());
  }

  /** The last filters' matches: a view's requests (the Overview makes 18) share their filters. */
  private readonly matches = new Map<string, { data: ExploreData; version: number; ok: Uint8Array | null }>();

  private async scope(r: { filters: readonly Filter[] }) {
    const d = await this.store.current();
    const key = r.filters.map(formatFilter).sort().join('\n');
    const hit = this.matches.get(key);
    if (hit && hit.data === d && hit.version === d.version) return { d, ok: hit.ok };
    const ok = matchFilters(d, r.filters);
    this.matches.delete(key);
    this.matches.set(key, { data: d, version: d.version, ok });
    if (this.matches.size > MATCHES_KEPT) this.matches.delete(this.matches.keys().next().value!);
    return { d, ok };
  }

  async overview(r: ExploreRequest, compare?: { from: number; to: number }): Promise<OverviewStats> {
    const { d, ok } = await this.scope(r);
    const prev = previousOf(r, compare);
    return overviewFrom(r, periodFigures(d, ok, r), periodFigures(d, ok, prev), activeNow(d, ok, r), this.stats.hasData(), this.keyEventTypes(), prev, hiddenFigures(d, ok, r));
  }

  /**
   * Distinct visitors of each period, counted in the columns (a few ms), or null when they
   * are not in memory (the first seconds after a start, or just after retention deleted
   * rows): the unfiltered overview's SQL count of them reads every visit of the range, ~30-50
   * ms a 90-day period at ten million events, and the overview asks two. Both count the same
   * (a test holds them to it).
   */
  async visitors(periods: readonly StatsRequest[]): Promise<number[] | null> {
    if (!this.store.inMemory()) return null;
    const d = await this.store.current();
    return periods.map((p) => distinctVisitors(d, null, p));
  }

  /** Whether the columns are in memory (see `visitors`): then the unfiltered visits per profile are counted there too. */
  inMemory(): boolean {
    return this.store.inMemory();
  }

  async timeseries(r: ExploreRequest, interval: StatsInterval): Promise<TimeseriesStats> {
    const { d, ok } = await this.scope(r);
    return timeseriesFrom(r, interval, hourlySessions(d, ok, r));
  }

  async heatmap(r: ExploreRequest): Promise<HeatmapStats> {
    const { d, ok } = await this.scope(r);
    return heatmapFrom(r, hourlySessions(d, ok, r));
  }

  async visitsPerProfile(r: ExploreRequest): Promise<VisitsPerProfileStats> {
    const { d, ok } = await this.scope(r);
    return { range: rangeOf(r), ...visitsPerProfile(d, ok, r) };
  }

  /** A dimension's counts; `prop.NAME` counts the values of a property in events (of `type`, if given). */
  async breakdown(r: ExploreRequest, dim: StatsDim | `prop.${string}`, limit: number, type?: string): Promise<BreakdownStats> {
    const { d, ok } = await this.scope(r);
    if (dim.startsWith(PROP_PREFIX)) {
      const { rows, numbers } = propertyValues(d, ok, r, dim.slice(PROP_PREFIX.length), type);
      return { ...breakdownFrom(r, dim, rows, limit), ...(type !== undefined ? { type } : {}), numbers };
    }
    return breakdownFrom(r, dim, breakdownRows(d, ok, r, dim as StatsDim), limit);
  }

  async properties(r: ExploreRequest, type?: string): Promise<PropertiesStats> {
    const { d, ok } = await this.scope(r);
    return { range: rangeOf(r), items: listProperties(d, ok, r, type) };
  }

  /** Sessions started in the range (admitted by the filters) through the funnel's steps. */
  async funnel(r: ExploreRequest, steps: readonly FunnelStep[]): Promise<FunnelStats> {
    const { d, ok } = await this.scope(r);
    return { range: rangeOf(r), steps: funnelSteps(walkFunnel(d, sessionsInRange(d, ok, r), steps), steps.length) };
  }

  /**
   * The sessions that reached step `step - 1` (1-based: the one before) but not `step`: a
   * funnel's drop-off, newest first, paged like the session list.
   */
  async funnelDropoff(r: ExploreRequest, steps: readonly FunnelStep[], step: number, o: ListOptions<SessionSort>): Promise<Page<SessionView>> {
    const { d, ok } = await this.scope(r);
    const slots = sessionsInRange(d, ok, r);
    const { reached } = walkFunnel(d, slots, steps);
    const dropped = slots.filter((_, i) => reached[i] === step - 1);
    const page = pageOfSessions(d, dropped, o);
    return { items: this.lists.getSessionsByPk(page.pks), next: page.next };
  }

  async paths(r: ExploreRequest, start: string, depth: number, limit: number): Promise<PathsStats> {
    const { d, ok } = await this.scope(r);
    const startId = d.strings.find(start);
    const tree = startId === undefined ? { sessions: 0, nodes: [{ depth: 0, value: start, sessions: 0, parent: null }] } : pathTree(d, sessionsInRange(d, ok, r), startId, depth, limit);
    return { range: rangeOf(r), start, depth, ...tree };
  }

  async retention(r: ExploreRequest, interval: RetentionInterval): Promise<RetentionStats> {
    const { d, ok } = await this.scope(r);
    return { range: rangeOf(r), interval, cohorts: retention(d, ok, r, interval) };
  }

  /** The session list under filters (with its own filters, sorts and cursor), answered from memory. */
  async sessions(filters: readonly Filter[], f: SessionFilter, o: ListOptions<SessionSort>): Promise<Page<SessionView>> {
    const { d, slots } = await this.matching(filters, f);
    const page = pageOfSessions(d, slots, o);
    return { items: this.lists.getSessionsByPk(page.pks), next: page.next };
  }

  /** How many sessions the list under filters holds (its `total`). */
  async countSessions(filters: readonly Filter[], f: SessionFilter): Promise<number> {
    return (await this.matching(filters, f)).slots.length;
  }

  private async matching(filters: readonly Filter[], f: SessionFilter): Promise<{ d: ExploreData; slots: number[] }> {
    const { d, ok } = await this.scope({ filters });
    let profileSlot: number | null = null;
    if (f.profile !== undefined) {
      const pk = this.db.prepare('SELECT pk FROM profiles WHERE id = ?').pluck().get(f.profile) as number | undefined;
      profileSlot = pk === undefined ? -1 : d.profileSlotOf.get(pk);
    }
    const test = listFilterTest(d, f, profileSlot);
    const slots: number[] = [];
    for (let s = 0; s < d.nSessions; s++) if ((ok === null || ok[s] === 1) && test(s)) slots.push(s);
    return { d, slots };
  }
}
