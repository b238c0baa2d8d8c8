import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// FOOTFALL_OUT_DIR lets parallel work build into separate folders; the default is `out/`.
const out = process.env.FOOTFALL_OUT_DIR ?? 'out';
// A fresh clone's first build (cold caches) is slow enough for the bundler to print how long
// each plugin took: noise in `npm run serve`'s first start, and nothing to act on.
const checks = { bundlerTimings: false };

// One build for everything: the Electron shell (main, preload), the headless engine entry
// (`out/main/serve.js`, run by `npm run serve` in plain Node) and the Svelte dashboard.
export default defineConfig({
  main: {
    build: {
      outDir: `${out}/main`,
      rolldownOptions: {
        checks,
        input: {
          index: resolve('electron/main/index.ts'),
          serve: resolve('engine/cli.ts'),
          seed: resolve('engine/seed-cli.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: `${out}/preload`,
      rolldownOptions: {
        checks,
        input: { index: resolve('electron/preload/index.ts') },
        // A sandboxed preload must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('renderer'),
    build: {
      outDir: resolve(`${out}/renderer`),
      // The dashboard is loaded by browsers and the Electron window: ship it minified.
      minify: true,
      rolldownOptions: { checks, input: { index: resolve('renderer/index.html') } },
    },
    plugins: [svelte({ configFile: resolve('svelte.config.mjs') })],
  },
});
