import { describe, expect, it } from 'vitest';
import { ExploreData, SESSION_DIMS, TIME_BLOCK, type SessionRecord } from './data';
import { widened } from './interner';
import { decodeInto, encodeEvents, encodeSessions } from './segments';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

interface Ev {
  slot: number;
  time: number;
  type: string;
  page: string | null;
  props: Array<[string, string]>;
}

function session(pk: number, over: Partial<SessionRecord> = {}): SessionRecord {
  return { pk, profilePk: pk, status: 1, cls: 0, startedAt: T0, lastAt: T0 + 1000, duration: 1.25, events: 1, pageViews: 1, keyEvents: 0, visitNumber: 1, dims: SESSION_DIMS.map(() => null), ...over };
}

/** Everything `d` holds, read back through its accessors as plain values. */
function read(d: ExploreData) {
  const sessions = [];
  let elsewhere = 0;
  for (let s = 0; s < d.nSessions; s++) {
    const events = [];
    for (let e = d.first[s]!; e >= 0; e = d.nextOf(e)) {
      if (d.sessionOf(e) !== s) elsewhere++;
      const props = [];
      for (let k = d.propStart(e); k < d.propEnd(e); k++) props.push([d.strings.values[d.propName[k]!], d.values.values[d.propValue(k)]]);
      events.push([e, d.timeAt(e), d.strings.values[d.type[e]!], d.page[e]! < 0 ? null : d.strings.values[d.page[e]!], props]);
    }
    const dims = SESSION_DIMS.map((_, k) => (d.dims[k]![s]! < 0 ? null : d.strings.values[d.dims[k]![s]!]));
    sessions.push([d.pk[s], d.profilePk[d.profile[s]!], d.events[s], d.pageViews[s], d.keyEvents[s], d.visitNumber[s], d.lastAt[s], dims, events]);
  }
  expect(elsewhere).toBe(0);
  return sessions;
}

describe('explore columns', () => {
  it('widen a column to the first type that holds a value exactly', () => {
    const a = new Int8Array([1, -1, 0]);
    expect(widened(a, 2, 200)).toBeInstanceOf(Int16Array);
    expect(widened(a, 2, 40_000)).toBeInstanceOf(Int32Array);
    expect(widened(a, 2, 2 ** 40)).toBeInstanceOf(Float64Array);
    expect(widened(a, 2, 1.5)).toBeInstanceOf(Float64Array);
    expect(widened(new Uint8Array(1), 0, -1)).toBeInstanceOf(Int32Array);
    const w = widened(new Uint16Array([65_535, 7]), 1, 70_000);
    expect([...w]).toEqual([65_535, 70_000]);
  });

  it('hold values beyond their narrow types exactly, and segments carry them', () => {
    const d = new ExploreData(new Set(['page-view']));
    // 200 strings first, so the ids used below do not fit an Int8 column.
    for (let i = 0; i < 200; i++) d.strings.id(`filler ${i}`);
    // And more values than 16 bits number, so that the ids below need the high column.
    for (let i = 0; i < 70_000; i++) d.valueId(`sfiller ${i}`);
    const far = 40_000;
    const slots = [d.putSession(session(1, { events: 70_000, visitNumber: 300, dims: SESSION_DIMS.map((_, k) => `dim ${k}`) })), d.putSession(session(2 ** 33, { profilePk: 2 ** 34 }))];
    for (let pk = 3; pk <= far + 1; pk++) d.putSession(session(pk, { lastAt: T0 + 400 * DAY, duration: null, status: 0 }));
    const want: Ev[] = [
      { slot: slots[0]!, time: T0, type: 'page-view', page: 'shop.test/', props: [['title', 'sHome']] },
      // More than 24 days after its block's first event, before it, and not a whole ms.
      { slot: far - 1, time: T0 + 30 * DAY, type: 'click', page: null, props: [] },
      { slot: far - 2, time: T0 - 30 * DAY, type: 'click', page: null, props: [] },
      { slot: far - 3, time: T0 + 0.5, type: 'click', page: null, props: [] },
      // Slot 0 again, with slots 40,000 apart in one block.
      { slot: slots[0]!, time: T0 + 5, type: 'add-to-cart', page: 'shop.test/cart', props: [['qty', 'n2']] },
    ];
    // More properties in one block than 16 bits count, and more events between two of a session's than 16 bits span.
    for (let i = 0; i < 70_000; i++) want.push({ slot: slots[1]!, time: T0 + i, type: 'bulk', page: null, props: i < TIME_BLOCK ? Array.from({ length: 70 }, (_, k) => [`p${k}`, `n${k}`]) : [] });
    want.push({ slot: slots[0]!, time: T0 + 9, type: 'purchase', page: 'shop.test/done', props: [['value', 'n9.99']] });
    for (const e of want) d.addEvent(e.slot, e.time, e.type, e.page, e.props);

    expect(d.dims[0]).toBeInstanceOf(Int16Array);
    expect(d.pk).toBeInstanceOf(Float64Array);
    expect(d.propOff).toBeInstanceOf(Int32Array);
    expect(d.propValue(0)).toBeGreaterThan(0xffff);
    expect(d.timeExact.size).toBeGreaterThan(0);
    expect(d.slotExact.size).toBeGreaterThan(0);
    expect(d.nextExact.size).toBeGreaterThan(0);
    const got = read(d);
    expect(got[0]).toEqual([1, 1, 70_000, 1, 0, 300, T0 + 1000, SESSION_DIMS.map((_, k) => `dim ${k}`), expect.anything()]);
    expect(got[1]!.slice(0, 2)).toEqual([2 ** 33, 2 ** 34]);
    expect(got[far - 2]![6]).toBe(T0 + 400 * DAY);
    const held = got.flatMap((s) => s[8] as unknown[][]).sort((a, b) => (a[0] as number) - (b[0] as number));
    expect(held.map(([, time, type, page, props]) => ({ time, type, page, props }))).toEqual(want.map(({ time, type, page, props }) => ({ time, type, page, props })));

    // Through segments (in pieces that cut the blocks anywhere) into fresh data: the same.
    const again = new ExploreData(new Set(['page-view']));
    decodeInto(again, new Uint8Array(encodeSessions(d, 0, d.nSessions)));
    for (let from = 0; from < d.nEvents; from += 30_001) decodeInto(again, new Uint8Array(encodeEvents(d, from, Math.min(d.nEvents, from + 30_001))));
    expect(read(again)).toEqual(got);
  });
});
