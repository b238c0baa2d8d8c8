import { fileURLToPath } from 'node:url';
import { Footfall } from './app';
import { ciAnnouncement, ciMode, CI_USAGE, removeDataDir, stopWhenStdinCloses } from './ci';
import { loadConfig, USAGE } from './config';
import { StartupError } from './errors';

/** `npm run serve`: the engine headless, collector + dashboard + API on one port. */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(`${USAGE}\n${CI_USAGE}`);
    return;
  }
  const ci = ciMode(argv);
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(ci?.argv ?? argv);
  } catch (err) {
    if (ci) removeDataDir(ci);
    throw err;
  }
  // In CI mode stdout is for the one line a script reads; what people read goes to stderr.
  const say = ci === null ? (m: string) => console.log(m) : (m: string) => console.error(m);
  const rendererDir = fileURLToPath(new URL('../renderer', import.meta.url));
  const t0 = performance.now();
  const trackerFile = fileURLToPath(new URL('../tracker/liliput.min.js', import.meta.url));
  let ff: Footfall;
  try {
    ff = await Footfall.start(config, { rendererDir, trackerFile });
  } catch (err) {
    if (ci) removeDataDir(ci);
    throw err;
  }
  const ms = Math.round(performance.now() - t0);
  // Handlers first: a supervisor (or a test) may send SIGTERM as soon as it reads the lines
  // below, and the default action would kill the process without its clean stop.
  let signals = 0;
  const stop = (signal: string) => {
    if (++signals > 1) {
      console.error(`Second ${signal}: exiting without waiting.`);
      process.exit(1);
    }
    say(`${signal}: stopping; committing what was accepted...`);
    ff.stop().then(
      () => {
        if (ci) removeDataDir(ci);
        say(ci ? `Footfall stopped; removed ${ci.dataDir}.` : 'Footfall stopped.');
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
  if (ci) stopWhenStdinCloses(() => stop('stdin closed'));

  say(`Footfall collector listening on ${ff.url}`);
  say(`Dashboard: ${ff.dashboardUrl}`);
  say(`Default event source: ${ff.defaultSourceId}`);
  say(`Data folder: ${config.dataDir}${ci ? ', a throw-away one, removed when Footfall stops' : ''} (session timeout ${ff.ctx.settings().sessionTimeout}s, sweep every ${ff.ctx.settings().sweepInterval}s, ready in ${ms} ms)`);
  if (config.host === '0.0.0.0' || config.host === '::') {
    say(`Warning: listening on all interfaces (${config.host}): other machines on your network can send events here. The dashboard still needs the token.`);
  }
  if (ci) console.log(ciAnnouncement(ci, { url: ff.url, source: ff.defaultSourceId, token: ff.token, dashboard: ff.dashboardUrl }));
}

main().catch((err: unknown) => {
  if (err instanceof StartupError) console.error(`Footfall: ${err.message}`);
  else console.error(err);
  process.exit(1);
});
