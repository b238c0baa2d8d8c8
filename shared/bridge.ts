/**
 * The desktop app's bridge: what the Electron preload exposes to the pages of its window as
 * `window.footfall`. Declared once here and used by electron/main (the IPC handlers),
 * electron/preload (the bridge itself) and the renderer (through
 * electron/preload/bridge.d.ts). In a browser tab there is no bridge: `window.footfall` is
 * undefined, and the dashboard must work without it.
 */

/** IPC channel names; only electron/main and electron/preload use them. */
export const BRIDGE_CHANNELS = {
  usePort: 'footfall:use-port',
  quit: 'footfall:quit',
} as const;

/** The answer to `usePort`. On success the window goes on to the dashboard on the new port. */
export type UsePortResult = { ok: true; port: number } | { ok: false; message: string; suggestedPort: number | null };

export interface FootfallBridge {
  /** Always true: tells the desktop window from a browser tab. */
  readonly desktop: true;
  /**
   * Starts the collector on `port` (1–65535) instead, and remembers it for the next start;
   * used by the "port in use" page, and usable from the dashboard's settings.
   */
  usePort(port: number): Promise<UsePortResult>;
  /** Quits Footfall (the engine stops cleanly first). */
  quit(): void;
}
