import type { FastifyReply, FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LiveMessage } from '../../shared/api';
import type { Queries } from '../queries';
import { ALL_TRAFFIC } from '../queries/traffic';
import type { CommitNotice, SessionEngine } from '../sessions/engine';
import { LiveHub } from './live';

/** A hub over a fake engine and fake queries, with one client whose socket backlog the test sets. */
function hubWithClient(windowMs = 0) {
  let listener: ((n: CommitNotice) => void) | null = null;
  const engine = {
    onCommit(l: (n: CommitNotice) => void) {
      listener = l;
      return () => {
        listener = null;
      };
    },
  } as unknown as SessionEngine;
  let reads = 0;
  const queries = {
    getSessionsByPk: (pks: readonly number[]) => {
      reads += pks.length;
      return pks.map((pk) => ({ id: `s${pk}`, metadata: { traffic: 'person' } }));
    },
    getEventsByPk: (pks: readonly number[]) => {
      reads += pks.length;
      return pks.map((pk) => ({ id: `e${pk}`, metadata: { traffic: 'person' } }));
    },
  } as unknown as Queries['asCommitted'];
  const hub = new LiveHub(engine, queries, windowMs);
  const sent: LiveMessage[] = [];
  const raw = {
    writableLength: 0,
    writeHead() {},
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line.startsWith('data: ')) sent.push(JSON.parse(line.slice(6)) as LiveMessage);
      return true;
    },
    end() {},
  };
  hub.attach({ method: 'GET', raw: { on() {} } } as unknown as FastifyRequest, { hijack() {}, raw } as unknown as FastifyReply, ALL_TRAFFIC);
  const commit = (n: Partial<CommitNotice>) => listener!({ events: [], started: [], ended: [], ...n });
  const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
  return { hub, raw, sent, commit, range, reads: () => reads };
}

describe('live stream limits', () => {
  it('sends every message of an ordinary commit, and nothing about skipping', () => {
    const h = hubWithClient();
    h.commit({ started: [1], events: [10, 11, 12], ended: [2] });
    expect(h.sent.map((m) => m.kind)).toEqual(['session-started', 'event', 'event', 'event', 'session-ended']);
  });

  it('sends the newest of each kind of a large commit and counts the rest', () => {
    const h = hubWithClient();
    h.commit({ started: h.range(1, 230), events: h.range(1000, 300), ended: h.range(5000, 80) });
    const ids = (kind: string) => h.sent.filter((m) => m.kind === kind).map((m) => ('event' in m ? m.event.id : 'session' in m ? m.session.id : ''));
    expect(ids('session-started')).toEqual(h.range(31, 200).map((pk) => `s${pk}`));
    expect(ids('event')).toEqual(h.range(1100, 200).map((pk) => `e${pk}`));
    expect(ids('session-ended')).toEqual(h.range(5030, 50).map((pk) => `s${pk}`));
    expect(h.sent.at(-1)).toEqual({ kind: 'skipped', events: 100, sessionsStarted: 30, sessionsEnded: 30 });
    // Only what is sent is read from the database.
    expect(h.reads()).toBe(450);
  });

  it('sends a client that stopped reading nothing until it catches up, then what it missed, once', () => {
    const h = hubWithClient();
    h.raw.writableLength = 5 * 1024 * 1024;
    h.commit({ started: [1], events: [10, 11] });
    h.commit({ events: [12], ended: [1] });
    expect(h.sent).toEqual([]);
    expect(h.reads()).toBe(0);
    h.raw.writableLength = 0;
    h.commit({ events: [13] });
    expect(h.sent.map((m) => m.kind)).toEqual(['skipped', 'event']);
    expect(h.sent[0]).toEqual({ kind: 'skipped', events: 3, sessionsStarted: 1, sessionsEnded: 1 });
    h.commit({ events: [14] });
    expect(h.sent.map((m) => m.kind)).toEqual(['skipped', 'event', 'event']);
  });

  describe('in a window', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('sends the first commit at once and the next ones of the window together, limits applied to all of them', () => {
      vi.useFakeTimers();
      const h = hubWithClient(100);
      h.commit({ started: [1], events: [10] });
      expect(h.sent.map((m) => m.kind)).toEqual(['session-started', 'event']);
      // A sweep: chunks of 150 ended sessions every few milliseconds.
      for (let i = 0; i < 4; i++) h.commit({ events: h.range(1000 + i * 150, 150), ended: h.range(5000 + i * 150, 150) });
      expect(h.sent).toHaveLength(2);
      vi.advanceTimersByTime(100);
      const rest = h.sent.slice(2);
      expect(rest.filter((m) => m.kind === 'event').map((m) => (m.kind === 'event' ? m.event.id : ''))).toEqual(h.range(1400, 200).map((pk) => `e${pk}`));
      expect(rest.filter((m) => m.kind === 'session-ended')).toHaveLength(50);
      expect(rest.at(-1)).toEqual({ kind: 'skipped', events: 400, sessionsStarted: 0, sessionsEnded: 550 });
      // Only what is sent is read.
      expect(h.reads()).toBe(2 + 250);
      h.hub.close();
    });
  });
});
