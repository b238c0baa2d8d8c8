import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, expect, it } from 'vitest';
import { FakeClock } from '../clock';
import { startTestFootfall, type TestFootfall } from '../testing';
import type { ExploreData } from '../explore/data';

// A collection on demand, to see whether anything still holds explore's old columns.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const T0 = Date.UTC(2026, 0, 10, 9, 0);
let t: TestFootfall;
afterEach(async () => {
  await t.close();
});

it("lets go of explore's old columns once a deletion has them loaded again (at ten million events they are ~190 MB)", async () => {
  t = await startTestFootfall({ clock: new FakeClock(T0), sessionTimeout: 60 });
  for (let i = 0; i < 12; i++) {
    t.clock.set(T0 + i * 60_000);
    const r = await t.track({ source: { id: t.source }, session: { id: `s${i}` }, profile: { id: `p${i % 3}` }, events: [{ type: 'page-view', properties: { n: i } }] });
    expect(r.status).toBe(200);
  }
  const range = `from=${T0 - 3_600_000}&to=${T0 + 86_400_000}`;
  // Filtered requests: their matches are kept for the next requests of the same view.
  for (const f of ['browser!:Nothing', 'prop.n!:3']) expect((await t.api('GET', `/api/stats/overview?${range}&filter=${encodeURIComponent(f)}`)).status).toBe(200);
  const old = new WeakRef<ExploreData>(await t.ff.exploreStore.current());

  // Retention deletes the first visits: the store drops its columns and loads them again.
  t.clock.advance(3_600_000);
  await t.sweep();
  expect(t.ff.engine.deleteOlderThan(T0 + 5 * 60_000, 1000)).toBeGreaterThan(0);
  const fresh = await t.ff.exploreStore.current();
  expect(fresh).not.toBe(old.deref());

  // Other requests than the ones made before; then nothing may hold the old columns.
  const r = await t.api('GET', `/api/stats/overview?${range}&filter=${encodeURIComponent('browser!:Other')}`);
  expect(r.status).toBe(200);
  expect(r.body.kpis.sessions.value).toBe(7);
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  expect(old.deref(), 'the columns from before the deletion').toBeUndefined();
});
