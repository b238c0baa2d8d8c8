/** Types of scripts/build-tracker.mjs for the tracker's tests. */
export function buildTracker(): Promise<string>;
export function gzippedSize(code: string): number;
