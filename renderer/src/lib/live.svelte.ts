import type { EventView, LiveMessage, Page, SessionView } from '../../../shared/api';
import { api } from './api';

const MAX_EVENTS = 200;
const MAX_ENDED = 50;
const MAX_QUEUED = 5000;

/**
 * The live stream (`GET /api/live`, Server-Sent Events) folded into three lists: events as
 * they arrive, sessions active now, sessions that just ended. Pausing holds messages back
 * (and counts them) until resumed, so the lists stay still while someone reads them.
 */
export class LiveFeed {
  events = $state.raw<EventView[]>([]);
  active = $state.raw<SessionView[]>([]);
  ended = $state.raw<SessionView[]>([]);
  paused = $state(false);
  queued = $state(0);
  status = $state<'connecting' | 'open' | 'reconnecting'>('connecting');

  #source: EventSource | null = null;
  #queue: LiveMessage[] = [];
  /** Messages that came before the first list of active sessions did. */
  #early: LiveMessage[] | null = [];

  start(): void {
    const es = new EventSource('/api/live');
    this.#source = es;
    es.onopen = () => {
      // After a reconnect the stream may have missed something: start from the truth again.
      if (this.status === 'reconnecting') void this.loadActive();
      this.status = 'open';
    };
    es.onerror = () => {
      this.status = es.readyState === EventSource.CLOSED ? 'connecting' : 'reconnecting';
    };
    for (const kind of ['event', 'session-started', 'session-ended'] as const) {
      es.addEventListener(kind, (e) => this.receive(JSON.parse((e as MessageEvent<string>).data) as LiveMessage));
    }
    void this.loadActive();
  }

  stop(): void {
    this.#source?.close();
    this.#source = null;
  }

  private async loadActive(): Promise<void> {
    const page = await api<Page<SessionView>>('/api/sessions?status=active&limit=500');
    this.active = page.items;
    const early = this.#early ?? [];
    this.#early = null;
    for (const m of early) this.apply(m);
  }

  private receive(m: LiveMessage): void {
    if (this.#early !== null) {
      this.#early.push(m);
      return;
    }
    if (this.paused) {
      if (this.#queue.length >= MAX_QUEUED) this.#queue.shift();
      this.#queue.push(m);
      this.queued = this.#queue.length;
      return;
    }
    this.apply(m);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    const q = this.#queue;
    this.#queue = [];
    this.queued = 0;
    for (const m of q) this.apply(m);
  }

  private apply(m: LiveMessage): void {
    switch (m.kind) {
      case 'event': {
        this.events = [m.event, ...this.events].slice(0, MAX_EVENTS);
        const i = this.active.findIndex((s) => s.id === m.event.session.id);
        if (i >= 0 && !m.event.metadata.system) {
          const s = this.active[i]!;
          const isView = m.event.type === 'page-view' || m.event.type === 'pageview' || m.event.type === 'page_view';
          const updated: SessionView = {
            ...s,
            metadata: { ...s.metadata, time: { ...s.metadata.time, update: m.event.metadata.time.insert } },
            stats: { ...s.stats, events: s.stats.events + 1, pageViews: s.stats.pageViews + (isView ? 1 : 0) },
          };
          this.active = this.active.map((x, j) => (j === i ? updated : x));
        }
        break;
      }
      case 'session-started':
        this.active = [m.session, ...this.active.filter((s) => s.id !== m.session.id)];
        break;
      case 'session-ended':
        this.active = this.active.filter((s) => s.id !== m.session.id);
        this.ended = [m.session, ...this.ended.filter((s) => s.id !== m.session.id)].slice(0, MAX_ENDED);
        break;
    }
  }
}
