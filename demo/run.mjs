// `npm run demo -- [footfall flags] [--demo-port N]`: Footfall headless plus the demo site on
// another origin, already wired to the collector and its default event source.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { buildIfNeeded } from '../scripts/build-if-needed.mjs';
import { startDemoSite } from './server.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
let demoPort = Number(process.env.FOOTFALL_DEMO_PORT ?? 8687);
const i = args.indexOf('--demo-port');
if (i >= 0) {
  demoPort = Number(args[i + 1]);
  args.splice(i, 2);
}
if (!Number.isInteger(demoPort) || demoPort < 0 || demoPort > 65535) {
  console.error('Footfall demo: --demo-port must be a port number from 0 to 65535.');
  process.exit(1);
}

// FOOTFALL_OUT_DIR names a build made elsewhere (parallel work, tests): use it as it is.
const outDir = process.env.FOOTFALL_OUT_DIR;
if (outDir === undefined) buildIfNeeded();
const footfall = spawn(process.execPath, [join(root, outDir ?? 'out', 'main', 'serve.js'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
let site = null;
let collector = '';

createInterface({ input: footfall.stdout }).on('line', async (line) => {
  console.log(line);
  const listening = /listening on (\S+)/.exec(line);
  if (listening) collector = listening[1];
  const source = /^Default event source: (\S+)/.exec(line);
  if (source && site === null) {
    try {
      site = await startDemoSite({ collector, source: source[1], port: demoPort });
    } catch (err) {
      const taken = err.code === 'EADDRINUSE';
      console.error(`Footfall demo: ${taken ? `port ${demoPort} is in use; pass --demo-port ANOTHER_PORT` : err.message}`);
      footfall.kill('SIGTERM');
      return;
    }
    console.log('');
    console.log(`Demo site: ${site.url}  (another origin; its pages send to ${collector}, source ${source[1]})`);
    console.log('Open the demo site, click around, then open the dashboard URL above. Ctrl+C stops both.');
  }
});

footfall.on('exit', (code) => {
  if (site) void site.close();
  process.exit(code ?? 0);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => footfall.kill(sig));
