export type StopOutcome = 'stopped' | 'failed' | 'timed-out';

/**
 * Wraps the engine's stop for quitting: called any number of times, it stops once; it gives
 * up after `timeoutMs` so a stuck stop cannot keep the app from exiting (the database's WAL
 * makes what was committed safe either way, and nothing unacknowledged is lost by exiting).
 */
export function createStopper(stop: () => Promise<void>, timeoutMs: number, log: (msg: string) => void): () => Promise<StopOutcome> {
  let outcome: Promise<StopOutcome> | null = null;
  return () => {
    outcome ??= new Promise<StopOutcome>((resolve) => {
      const timer = setTimeout(() => {
        log(`Footfall did not stop within ${timeoutMs / 1000} s; exiting anyway.`);
        resolve('timed-out');
      }, timeoutMs);
      stop().then(
        () => {
          clearTimeout(timer);
          resolve('stopped');
        },
        (err: unknown) => {
          clearTimeout(timer);
          log(`Footfall did not stop cleanly: ${err instanceof Error ? err.message : String(err)}`);
          resolve('failed');
        },
      );
    });
    return outcome;
  };
}

/** The process exit code for a quit that ended this way. */
export function exitCode(outcome: StopOutcome): number {
  return outcome === 'stopped' ? 0 : 1;
}
