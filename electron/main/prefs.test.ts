import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { PREFS_FILE, readPrefs, writePrefs } from './prefs';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'footfall-prefs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('remembers the chosen port', () => {
  expect(readPrefs(dir)).toEqual({ port: null });
  writePrefs(dir, { port: 8687 });
  expect(readPrefs(dir)).toEqual({ port: 8687 });
});

it('treats a damaged or strange file as no prefs', () => {
  for (const text of ['{', 'null', '[]', '{"port": "8687"}', '{"port": 70000}']) {
    writeFileSync(join(dir, PREFS_FILE), text);
    expect(readPrefs(dir)).toEqual({ port: null });
  }
});
