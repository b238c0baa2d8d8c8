// Bundles and minifies the browser tracker (tracker/liliput.ts) into
// `${FOOTFALL_OUT_DIR ?? 'out'}/tracker/liliput.min.js`, which the collector serves, and
// prints its raw and gzipped size (the number the README quotes).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outFile = join(root, process.env.FOOTFALL_OUT_DIR ?? 'out', 'tracker', 'liliput.min.js');

/** The minified tracker as a string (also used by the size test). */
export async function buildTracker() {
  const r = await build({
    entryPoints: [join(root, 'tracker', 'liliput.ts')],
    bundle: true,
    minify: true,
    format: 'iife',
    // Browsers of the last few years: optional chaining and ?? stay as they are (smaller).
    target: ['es2020'],
    legalComments: 'none',
    write: false,
    logLevel: 'error',
  });
  return r.outputFiles[0].text;
}

export function gzippedSize(code) {
  return gzipSync(code, { level: 9 }).length;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const code = await buildTracker();
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, code);
  const raw = Buffer.byteLength(code);
  console.log(`Tracker: ${relative(root, outFile)} ${raw} bytes, ${gzippedSize(code)} bytes gzipped`);
}
