import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { build } from 'vite';
import { ROOT, outDir } from './proc';

/**
 * Builds the benchmark's helpers that run engine code in their own process (the engine uses
 * Vite's `import.meta.glob` for its migrations, so it runs built, as the app does) into
 * `OUT/bench/`. Entries are given as paths relative to the repository root.
 */
export async function buildHelpers(entries: Record<string, string>): Promise<string> {
  const dir = join(outDir(ROOT), 'bench');
  const deps = ['better-sqlite3', 'fastify', '@fastify/static', 'zod', 'ua-parser-js', 'isbot', 'cookie', 'autocannon', 'ajv', 'ajv-formats'];
  await build({
    configFile: false,
    root: ROOT,
    logLevel: 'warn',
    build: {
      ssr: true,
      target: 'node20',
      outDir: dir,
      emptyOutDir: true,
      minify: false,
      rolldownOptions: {
        input: Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, join(ROOT, v)])),
        output: { format: 'es', entryFileNames: '[name].js' },
        external: [...deps, ...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
      },
    },
  });
  return dir;
}
