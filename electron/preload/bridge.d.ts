// The renderer's view of the preload bridge (tsconfig.web.json includes this file).
import type { FootfallBridge } from '../../shared/bridge';

declare global {
  interface Window {
    /** Present in Footfall's desktop window only; undefined in a browser tab. */
    readonly footfall?: FootfallBridge;
  }
}

export {};
