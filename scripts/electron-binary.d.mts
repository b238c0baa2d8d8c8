/** The Electron binary's path, or null where it is not installed (never downloads). */
export function electronBinary(): string | null;
/** Says, as a sentence fragment, why there is no binary and how to get one. */
export const NO_ELECTRON: string;
