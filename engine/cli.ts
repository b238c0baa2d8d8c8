import { fileURLToPath } from 'node:url';
import { Footfall } from './app';
import { loadConfig, USAGE } from './config';
import { StartupError } from './errors';

/** `npm run serve`: the engine headless, collector + dashboard + API on one port. */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  const config = loadConfig(argv);
  const rendererDir = fileURLToPath(new URL('../renderer', import.meta.url));
  const t0 = performance.now();
  const trackerFile = fileURLToPath(new URL('../tracker/liliput.min.js', import.meta.url));
  const ff = await Footfall.start(config, { rendererDir, trackerFile });
  const ms = Math.round(performance.now() - t0);
  // Handlers first: a supervisor (or a test) may send SIGTERM as soon as it reads the lines
  // below, and the default action would kill the process without its clean stop.
  let signals = 0;
  const stop = (signal: string) => {
    if (++signals > 1) {
      console.error(`Second ${signal}: exiting without waiting.`);
      process.exit(1);
    }
    console.log(`${signal}: stopping; committing what was accepted...`);
    ff.stop().then(
      () => {
        console.log('Footfall stopped.');
        process.exit(0);
      },
      (err: unknown) => {
        console.error(`Footfall did not stop cleanly: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  console.log(`Footfall collector listening on ${ff.url}`);
  console.log(`Dashboard: ${ff.dashboardUrl}`);
  console.log(`Default event source: ${ff.defaultSourceId}`);
  console.log(`Data folder: ${config.dataDir} (session timeout ${ff.ctx.settings().sessionTimeout}s, sweep every ${ff.ctx.settings().sweepInterval}s, ready in ${ms} ms)`);
  if (config.host === '0.0.0.0' || config.host === '::') {
    console.log(`Warning: listening on all interfaces (${config.host}): other machines on your network can send events here. The dashboard still needs the token.`);
  }
}

main().catch((err: unknown) => {
  if (err instanceof StartupError) console.error(`Footfall: ${err.message}`);
  else console.error(err);
  process.exit(1);
});
