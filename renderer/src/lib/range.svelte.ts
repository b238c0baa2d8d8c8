import { router } from './router.svelte';
import { formatFilter, parseFilter, type Filter } from '../../../shared/explore';
import { DEFAULT_PRESET, comparison, resolveRange, type PresetId } from './range';
import { apiTraffic, trafficFromParams, trafficParam, type TrafficSet } from './traffic';

export { PRESETS, DEFAULT_PRESET, isoDate, presetRange, resolveRange, type PresetId, type ResolvedRange } from './range';

/** The user's IANA time zone: charts are cut in it and times shown in it. */
export const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/**
 * What every view filters by, kept in the URL: the date range (`range=<preset>` or custom
 * `from=YYYY-MM-DD&to=YYYY-MM-DD`, local dates, both included) and the traffic classes
 * shown (`traffic=person,automation,bot,debug`; people and automation when absent). The
 * one place the dashboard turns them into API parameters (the classes by lib/traffic.ts).
 */
class Filters {
  range = $derived(resolveRange(router.params));
  /** The traffic classes shown (people and automation by default). */
  traffic = $derived(trafficFromParams(router.params));
  /** Explore's filters (`filter=DIM:VALUE`, repeatable; shared/explore.ts), shown as chips under the header. */
  list = $derived(router.params.getAll('filter').map(parseFilter).filter((f): f is Filter => typeof f !== 'string'));
  /**
   * The period the range is compared with (the same stretch of the one before, while the
   * range is not over), as of when the range was chosen, like the range itself.
   */
  compare = $derived(comparison(this.range, new Date()));

  /** Parameters of every stats call. */
  stats = $derived({
    from: this.range.from.toISOString(),
    to: this.range.to.toISOString(),
    tz: timeZone,
    traffic: apiTraffic(this.traffic),
    filter: this.list.map(formatFilter),
  });

  /** The same, as the JSON body of a POST read (a funnel). */
  body = $derived({ from: this.stats.from, to: this.stats.to, tz: timeZone, traffic: this.stats.traffic, filter: this.stats.filter });

  /** Adds a filter (the same one twice is one). */
  addFilter(f: Filter): void {
    const raw = this.list.map(formatFilter);
    if (!raw.includes(formatFilter(f))) router.update({ filter: [...raw, formatFilter(f)] });
  }

  removeFilter(i: number): void {
    router.update({ filter: this.list.filter((_, j) => j !== i).map(formatFilter) });
  }

  /** Turns "is" into "is not" and back. */
  negateFilter(i: number): void {
    router.update({ filter: this.list.map((f, j) => formatFilter(j === i ? { ...f, negate: !f.negate } : f)) });
  }

  clearFilters(): void {
    router.update({ filter: null });
  }

  /** The overview's: the stats parameters and the period to compare with. */
  overview = $derived({ ...this.stats, compareFrom: this.compare.from.toISOString(), compareTo: this.compare.to.toISOString() });

  /** Traffic parameters of the lists. */
  lists = $derived({ traffic: apiTraffic(this.traffic) });

  setPreset(id: PresetId): void {
    router.update({ range: id === DEFAULT_PRESET ? null : id, from: null, to: null });
  }

  setCustom(from: string, to: string): void {
    router.update({ range: null, from, to });
  }

  setTraffic(set: TrafficSet): void {
    router.update({ traffic: trafficParam(set), all: null });
  }
}

export const filters = new Filters();
