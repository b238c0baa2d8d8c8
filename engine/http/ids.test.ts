import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { idPath } from '../../shared/paths';
import { startTestFootfall, type TestFootfall } from '../testing';

/** Odd ids reach every `:id` route by the path the dashboard builds for them (shared/paths.ts). */

const ODD = ['.', '..', '-', '/', '?', '#', '%', '%2E%2E', 'a/../b', 'zażółć 😀', ' '];

let t: TestFootfall;
beforeEach(async () => {
  t = await startTestFootfall();
  for (const id of ODD) await t.track({ source: { id: t.source }, session: { id }, profile: { id }, events: [{ type: 'page-view', id: `e${ODD.indexOf(id)}` }] });
});
afterEach(async () => {
  await t.close();
});

describe('idPath', () => {
  it('encodes an id as one path segment, and puts . and .. in the query', () => {
    expect(idPath('/api/sessions', 'a/b?c#d%')).toBe('/api/sessions/a%2Fb%3Fc%23d%25');
    expect(idPath('/api/sessions', '..', '/end')).toBe('/api/sessions/-/end?id=..');
    expect(idPath('/api/sources', '.')).toBe('/api/sources/-?id=.');
    // What a browser does to the path: nothing, for each of them.
    for (const id of ODD) {
      const p = idPath('/api/sessions', id, '/end');
      expect(new URL(p, 'http://127.0.0.1:1').pathname + new URL(p, 'http://127.0.0.1:1').search, id).toBe(p);
    }
  });
});

describe(':id routes', () => {
  it('find sessions, profiles and events by every odd id, and end the session', async () => {
    for (const id of ODD) {
      const s = await t.api('GET', idPath('/api/sessions', id));
      expect(s.status, id).toBe(200);
      expect(s.body.id).toBe(id);
      const p = await t.api('GET', idPath('/api/profiles', id));
      expect(p.body.id, id).toBe(id);
      const ended = await t.api('POST', idPath('/api/sessions', id, '/end'));
      expect(ended.status, id).toBe(200);
      expect(ended.body).toMatchObject({ id, metadata: { status: 'ended' } });
    }
    expect((await t.api('GET', idPath('/api/events', 'e1'))).body.id).toBe('e1');
  });

  it('take the placeholder as an id of its own without ?id, and ?id only with the placeholder', async () => {
    expect((await t.api('GET', '/api/sessions/-')).body.id).toBe('-');
    expect((await t.api('GET', '/api/sessions/%2F?id=..')).body.id).toBe('/');
    const none = await t.api('GET', '/api/sessions/-?id=nope');
    expect(none.status).toBe(404);
    expect(none.body.detail).toContain('"nope"');
  });

  it('update and delete sources named . and ..', async () => {
    for (const id of ['.', '..']) {
      expect((await t.api('POST', '/api/sources', { id, name: id })).status).toBe(201);
      expect((await t.api('PATCH', idPath('/api/sources', id), { name: `renamed ${id}` })).body).toMatchObject({ id, name: `renamed ${id}` });
      expect((await t.api('DELETE', idPath('/api/sources', id))).status).toBe(204);
    }
    expect((await t.api('GET', '/api/sources')).body.items.map((s: { id: string }) => s.id)).toEqual([t.source]);
  });
});
