import { LIVE_LIMITS, type EventView, type LiveMessage, type Page, type SessionView } from '../../../shared/api';
import { DAY_MS, isPageView } from '../../../shared/rules';
import { api, withQuery } from './api';

const MAX_EVENTS = LIVE_LIMITS.events;
const MAX_ENDED = LIVE_LIMITS.sessionsEnded;
const MAX_QUEUED = 5000;
/** After the stream skipped part of a commit, the active list is reloaded this much later (once for a whole sweep's burst). */
const RELOAD_AFTER_MS = 300;

/** How far back "just ended" looks when the view opens (by session start). */
const ENDED_BACKLOG_MS = DAY_MS;

/**
 * The live stream (`GET /api/live`, Server-Sent Events) folded into three lists: events as
 * they arrive, sessions active now, sessions that just ended. It opens with what is already
 * there (the latest events and ended sessions, read from the API) and, once started, keeps
 * running while other views are shown, so coming back finds everything that happened
 * meanwhile. Pausing holds messages back (and counts them) until resumed, so the lists stay
 * still while someone reads them.
 */
export class LiveFeed {
  events = $state.raw<EventView[]>([]);
  active = $state.raw<SessionView[]>([]);
  ended = $state.raw<SessionView[]>([]);
  paused = $state(false);
  queued = $state(0);
  /** Sessions that ended while the view was open but were not listed (large commits send their newest). */
  endedNotListed = $state(0);
  status = $state<'connecting' | 'open' | 'reconnecting'>('connecting');

  #source: EventSource | null = null;
  #queue: LiveMessage[] = [];
  /** Messages that came before the first list of active sessions did. */
  #early: LiveMessage[] | null = [];
  #batch: LiveMessage[] = [];
  #frame = 0;
  #reload: ReturnType<typeof setTimeout> | null = null;
  #loading = false;
  #loadAgain = false;
  #reloadOnResume = false;
  /** The next load reads the latest events and ended sessions too, not only the active ones. */
  #backlogWanted = true;

  /** Opens the stream (once: later calls find it running). */
  start(): void {
    if (this.#source !== null) return;
    // Every class: the view shows what the traffic filter asks for, and says what it hides.
    const es = new EventSource('/api/live?traffic=all');
    this.#source = es;
    es.onopen = () => {
      // The lists are read only once the stream listens: a commit before that (while it
      // connected, or in a reconnect's gap) sends no message, and a read answered before
      // the connect would never show it. Backlog included, each time.
      this.#backlogWanted = true;
      if (this.paused) this.#reloadOnResume = true;
      else void this.loadActive();
      this.status = 'open';
    };
    es.onerror = () => {
      this.status = es.readyState === EventSource.CLOSED ? 'connecting' : 'reconnecting';
    };
    for (const kind of ['event', 'session-started', 'session-ended', 'skipped'] as const) {
      es.addEventListener(kind, (e) => this.receive(JSON.parse((e as MessageEvent<string>).data) as LiveMessage));
    }
  }

  /**
   * Loads the active sessions from the server (the truth), and after each connect the latest
   * events and ended sessions, holding back the messages that arrive meanwhile and applying
   * them after it. One load at a time: asked during one, it loads again after.
   */
  private async loadActive(): Promise<void> {
    if (this.#loading) {
      this.#loadAgain = true;
      return;
    }
    this.#loading = true;
    this.#early ??= [];
    const backlog = this.#backlogWanted;
    this.#backlogWanted = false;
    try {
      const [page, events, ended] = await Promise.all([
        api<Page<SessionView>>('/api/sessions?status=active&limit=500&traffic=all'),
        // What is already there: newest first, like the lists.
        backlog ? api<Page<EventView>>(`/api/events?limit=${MAX_EVENTS}&traffic=all`) : null,
        backlog ? api<Page<SessionView>>(withQuery('/api/sessions', { status: 'ended', sort: 'last', limit: MAX_ENDED, from: Date.now() - ENDED_BACKLOG_MS, traffic: 'all' })) : null,
      ]);
      this.active = page.items;
      if (events && ended) {
        this.events = events.items;
        this.ended = ended.items;
      }
    } catch {
      // Keep the lists as they are; the next reload or reconnect brings them up to date.
      if (backlog) this.#backlogWanted = true;
    } finally {
      const early = this.#early ?? [];
      this.#early = null;
      this.#loading = false;
      this.applyAll(early);
    }
    if (this.#loadAgain) {
      this.#loadAgain = false;
      void this.loadActive();
    }
  }

  private reloadSoon(): void {
    if (this.#reload !== null || this.#source === null) return;
    this.#reload = setTimeout(() => {
      this.#reload = null;
      // Paused, the lists stay still: reload when resumed.
      if (this.paused) this.#reloadOnResume = true;
      else void this.loadActive();
    }, RELOAD_AFTER_MS);
  }

  private receive(m: LiveMessage): void {
    if (this.#early !== null) {
      this.#early.push(m);
      return;
    }
    if (this.paused) {
      if (this.#queue.length >= MAX_QUEUED) {
        // Dropping the oldest leaves the active list behind: reload it when resumed.
        this.#queue.shift();
        this.#reloadOnResume = true;
      }
      this.#queue.push(m);
      this.queued = this.#queue.length;
      return;
    }
    // Under load thousands of messages a second arrive: apply them once per frame.
    this.#batch.push(m);
    // A hidden page gets no frames: don't let the batch grow without bound meanwhile.
    if (this.#batch.length >= 2000) this.flush();
    else if (this.#frame === 0) this.#frame = requestAnimationFrame(() => this.flush());
  }

  private flush(): void {
    if (this.#frame !== 0) cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    const batch = this.#batch;
    this.#batch = [];
    this.applyAll(batch);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    const q = this.#queue;
    this.#queue = [];
    this.queued = 0;
    this.applyAll(q);
    if (this.#reloadOnResume) {
      this.#reloadOnResume = false;
      void this.loadActive();
    }
  }

  /** Folds messages (oldest first) into the three lists, each list replaced once. */
  private applyAll(messages: LiveMessage[]): void {
    if (messages.length === 0) return;
    const newEvents: EventView[] = [];
    // Messages that came while the backlog loaded may be in it already.
    const listed = new Set(this.events.map((e) => e.id));
    const active = new Map(this.active.map((s) => [s.id, s]));
    let ended = this.ended;
    let skipped = false;
    for (const m of messages) {
      switch (m.kind) {
        case 'event': {
          if (listed.has(m.event.id)) break;
          newEvents.push(m.event);
          const s = active.get(m.event.session.id);
          if (s && !m.event.metadata.system) active.set(s.id, withEvent(s, m.event));
          break;
        }
        case 'session-started':
          active.delete(m.session.id);
          // Newest first: re-inserting puts it at the end of the map; order is fixed below.
          active.set(m.session.id, m.session);
          break;
        case 'session-ended':
          active.delete(m.session.id);
          ended = [m.session, ...ended.filter((s) => s.id !== m.session.id)];
          break;
        case 'skipped':
          // Sessions started or ended without a message of their own: the active list is stale.
          skipped = true;
          this.endedNotListed += m.sessionsEnded;
          break;
      }
    }
    if (skipped) this.reloadSoon();
    if (newEvents.length > 0) this.events = [...newEvents.slice(-MAX_EVENTS).reverse(), ...this.events].slice(0, MAX_EVENTS);
    this.active = [...active.values()].sort((a, b) => Date.parse(b.metadata.time.insert) - Date.parse(a.metadata.time.insert));
    this.ended = ended.slice(0, MAX_ENDED);
  }
}

/**
 * An active session after one more of its events, as the engine counts it: last activity,
 * events, page views, and (from page views) its landing and exit page. A session that
 * started in the same commit arrives as its row was first written, before any of this.
 */
function withEvent(s: SessionView, e: EventView): SessionView {
  const isView = isPageView(e.type);
  const url = isView ? e.page.url : null;
  const update = e.metadata.time.insert;
  // Start to last activity, never negative: the duration the API answers for an active visit.
  const duration = Math.max(0, (Date.parse(update) - Date.parse(s.metadata.time.insert)) / 1000);
  return {
    ...s,
    metadata: { ...s.metadata, time: { ...s.metadata.time, update, duration } },
    stats: { ...s.stats, events: s.stats.events + 1, pageViews: s.stats.pageViews + (isView ? 1 : 0) },
    context: url === null ? s.context : { ...s.context, landingPage: s.context.landingPage ?? url, exitPage: url },
  };
}

/** The one Live feed of the page: started by the Live view, running from then on. */
export const live = new LiveFeed();
