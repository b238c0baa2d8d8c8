import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { durationBucket, isEngaged, isEngagedSql, isPageView, PAGE_VIEW_SQL, sessionDuration, sessionDurationSql } from './rules';

const db = new Database(':memory:');
afterAll(() => db.close());

describe('each rule and its SQL form agree', () => {
  // Starts and last activities in ms, around the engaged threshold and below zero.
  const spans = [0, 1, 999, 1000, 1500, 9_999, 10_000, 10_001, 1_300_000, -1, -5000];
  const start = 1_772_000_000_000;

  it('a session duration', () => {
    const sql = db.prepare(`SELECT ${sessionDurationSql('s')} FROM (SELECT ? AS started_at, ? AS last_at) s`).pluck();
    for (const d of spans) expect(sql.get(start, start + d), `span ${d} ms`).toBe(sessionDuration(start, start + d));
    expect(sessionDuration(start, start - 5000)).toBe(0);
  });

  it('an engaged session', () => {
    const sql = db.prepare(`SELECT ${isEngagedSql('s')} FROM (SELECT ? AS started_at, ? AS last_at, ? AS page_views, ? AS key_events) s`).pluck();
    for (const d of spans) {
      for (const pageViews of [0, 1, 2, 3]) {
        for (const keyEvents of [0, 1]) {
          const js = isEngaged(pageViews, sessionDuration(start, start + d), keyEvents);
          expect(sql.get(start, start + d, pageViews, keyEvents) === 1, `span ${d} ms, ${pageViews} views, ${keyEvents} key`).toBe(js);
        }
      }
    }
  });

  it('a page view', () => {
    const sql = db.prepare(`SELECT ? IN (${PAGE_VIEW_SQL})`).pluck();
    for (const type of ['page-view', 'pageview', 'page_view', 'Page-View', 'click', 'page', '']) {
      expect(sql.get(type) === 1, type).toBe(isPageView(type));
    }
  });
});

describe('duration buckets', () => {
  it('buckets durations', () => {
    expect([0, 9.9, 10, 45, 120, 599, 1200, 5000].map(durationBucket)).toEqual(['0-10s', '0-10s', '10-30s', '30-60s', '1-3m', '3-10m', '10-30m', '30m+']);
  });
});
