// The preload bridge (placeholder until the desktop-shell issue): exposes nothing yet.
export {};
