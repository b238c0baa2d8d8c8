import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Footfall } from '../app';
import { loadConfig } from '../config';
import { startTestFootfall, until, type TestFootfall } from '../testing';

/** `--plan FILE`: the plan comes from a file in the user's repository, followed while Footfall runs. */

let dir: string;
let file: string;
let t: TestFootfall | null = null;
let logs: string[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'footfall-planfile-'));
  file = join(dir, 'tracking-plan.json');
  logs = [];
});
afterEach(async () => {
  await t?.close();
  t = null;
  rmSync(dir, { recursive: true, force: true });
});

const plan = (required: string[]) => JSON.stringify({ unplanned: 'allow', events: { signup: { properties: { type: 'object', properties: { email: { type: 'string', format: 'email' } }, required } } } }, null, 2);
const start = async () => (t = await startTestFootfall({ args: ['--plan', file], log: (m) => logs.push(m) }));
const signup = async (properties: object) => {
  const r = await t!.track({ source: { id: t!.source }, session: { id: 'S' }, events: [{ type: 'signup', properties }] });
  expect(r.status).toBe(200);
  return r.body.warnings as string[];
};
const planNow = async () => (await t!.api('GET', '/api/plan')).body;

describe('--plan FILE', () => {
  it('loads the plan at start, names the file, and refuses edits over the API', async () => {
    writeFileSync(file, plan(['email']));
    await start();
    const p = await planNow();
    expect(p.file).toMatchObject({ path: file, error: null });
    expect(p.events.signup.properties.required).toEqual(['email']);
    expect(await signup({ email: 'not-an-email' })).toEqual([`events[0]: "signup" does not follow the tracking plan: properties.email: must match format "email", got 'not-an-email'.`]);
    const put = await t!.api('PUT', '/api/plan', { events: {} });
    expect(put.status).toBe(409);
    expect(put.body.detail).toContain(file);
  });

  it('follows the file as it changes; a bad change keeps the last good plan and says why', async () => {
    writeFileSync(file, plan([]));
    await start();
    expect(await signup({})).toEqual([]);

    // An editor's save: a new file renamed over the old one.
    writeFileSync(`${file}.tmp`, plan(['email']));
    renameSync(`${file}.tmp`, file);
    await until(() => logs.some((l) => l.includes('again') && l.includes(file)));
    expect((await planNow()).events.signup.properties.required).toEqual(['email']);
    expect(await signup({})).toEqual(['events[0]: "signup" does not follow the tracking plan: properties.email: is required, but missing.']);

    // Half-written JSON, then a schema with a typo: each refused, the plan in force stays.
    writeFileSync(file, '{"events": {"signup": ');
    await until(() => logs.some((l) => l.includes('not JSON')));
    expect((await planNow()).file.error).toContain('not JSON');
    writeFileSync(file, JSON.stringify({ events: { signup: { properties: { type: 'object', requried: ['email'] } } } }));
    await until(() => logs.some((l) => l.includes('requried')));
    const p = await planNow();
    expect(p.file.error).toContain('events.signup.properties');
    expect(p.events.signup.properties.required).toEqual(['email']);
    expect(await signup({})).toHaveLength(1);

    // Removed, then back: said, then taken again.
    rmSync(file);
    await until(() => logs.some((l) => l.includes('ENOENT')));
    writeFileSync(file, plan([]));
    await until(() => logs.filter((l) => l.includes('again')).length === 2);
    expect((await planNow()).file.error).toBeNull();
    expect(await signup({})).toEqual([]);
  });

  it('a plan file that cannot be read or is wrong at start stops the start, saying so', async () => {
    const config = (f: string) => loadConfig(['--port', '0', '--data-dir', join(dir, 'data'), '--plan', f], {});
    await expect(Footfall.start(config(join(dir, 'missing.json')), { log: () => {} })).rejects.toThrow(/--plan .*missing\.json: cannot read it \(ENOENT\)/);
    writeFileSync(file, JSON.stringify({ events: { purchase: { properties: { type: 'object', properties: { revenue: { type: 'numbr' } } } } } }));
    await expect(Footfall.start(config(file), { log: () => {} })).rejects.toThrow(/events\.purchase\.properties\.properties\.revenue\.type: must be one of/);
  });

  it('FOOTFALL_PLAN names the file too', () => {
    expect(loadConfig([], { FOOTFALL_PLAN: 'plan.json' }).plan).toBe(join(process.cwd(), 'plan.json'));
    expect(loadConfig([], {}).plan).toBeNull();
  });
});
