import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import config from '../electron.vite.config';
import { seed } from '../engine/seed';
import { clickHouseDdl } from '../engine/forward/clickhouse';
import { footfallSnippet } from '../shared/snippets';

// What a new user reads in the README is what the code does.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { engines: { node: string } };

describe('README', () => {
  it('names the Node version package.json asks for, and says the EBADENGINE warnings are harmless', () => {
    const major = /(\d+)/.exec(pkg.engines.node)![1]!;
    expect(readme).toMatch(new RegExp(`Node(\\.js)? ${major}\\b`));
    expect(readme).toContain('EBADENGINE');
  });

  it('hands out the same tracker tag as the Sources page', () => {
    const tag = /<script (\w+) src="http:\/\/127\.0\.0\.1:8686\/tracker\.js" data-source="SOURCE_ID"><\/script>/.exec(readme);
    expect(tag, 'the README shows the tag').not.toBeNull();
    expect(footfallSnippet('http://127.0.0.1:8686', 'SOURCE_ID')).toBe(tag![0]);
  });

  it('says why the seed stores fewer events than it planned, and how many are the engine’s own', async () => {
    expect(readme).toMatch(/Planned N events[^.]*M events stored/);
    expect(readme).toMatch(/about a fifth of them are Footfall’s own/);
    const dir = mkdtempSync(join(tmpdir(), 'footfall-readme-seed-'));
    try {
      const r = await seed({ dataDir: dir, events: 3000, days: 7, seed: 5 });
      const db = new Database(join(dir, 'footfall.db'), { readonly: true });
      const system = db.prepare('SELECT count(*) FROM events WHERE system = 1').pluck().get() as number;
      db.close();
      expect(r.events).toBeLessThanOrEqual(r.planned);
      expect(r.events).toBeGreaterThan(r.planned * 0.95);
      expect(system / r.events).toBeGreaterThan(0.15);
      expect(system / r.events).toBeLessThan(0.3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('README: Sharing with a team', () => {
  it('shows the ClickHouse tables as Footfall creates them', () => {
    const ddl = clickHouseDdl('DATABASE').map((q) => `${q};`).join('\n\n');
    expect(readme).toContain(`\`\`\`sql\n${ddl}\n\`\`\``);
  });
});

describe('the build', () => {
  it('does not print the bundler’s plugin timings on a first (slow) build', async () => {
    const resolved = await (typeof config === 'function' ? config({ command: 'build', mode: 'production' }) : config);
    for (const part of ['main', 'preload', 'renderer'] as const) {
      const checks = (resolved[part]?.build?.rolldownOptions as { checks?: { bundlerTimings?: boolean } } | undefined)?.checks;
      expect(checks?.bundlerTimings, part).toBe(false);
    }
  });
});
