import { createServer } from 'node:net';

/** True when a server could listen on host:port right now (nothing else holds it, and we may). */
export function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/**
 * The first free port after `after` (so the offer is easy to read and to type into a tracker
 * snippet: 8687 after 8686), trying up to `tries` of them; failing that, one the OS picks.
 * Null only when nothing can listen on `host` at all.
 */
export async function findFreePort(host: string, after: number, tries = 50): Promise<number | null> {
  for (let p = after + 1; p <= Math.min(65535, after + tries); p++) {
    if (await isPortFree(host, p)) return p;
  }
  return osPickedPort(host);
}

function osPickedPort(host: string): Promise<number | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(null));
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = address !== null && typeof address === 'object' ? address.port : null;
      server.close(() => resolve(port));
    });
  });
}
