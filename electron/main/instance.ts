/**
 * Decisions about the one Footfall per data folder and its one window: what a second launch
 * does to the first, and what closing the window means.
 */

export interface WindowState {
  exists: boolean;
  minimized: boolean;
  visible: boolean;
}

export type RevealStep = 'create' | 'restore' | 'show' | 'focus';

/**
 * How to bring the window to the user (a second launch, "Open dashboard", the dock icon):
 * make it if it is gone, un-minimise, show it if hidden, and always focus it.
 */
export function revealSteps(w: WindowState): RevealStep[] {
  if (!w.exists) return ['create', 'focus'];
  const steps: RevealStep[] = [];
  if (w.minimized) steps.push('restore');
  if (!w.visible) steps.push('show');
  steps.push('focus');
  return steps;
}

export type CloseBehaviour = 'hide' | 'close';

/**
 * Closing the window keeps the collector running where the platform has a dependable place
 * to come back from: the menu bar and dock on macOS, the notification area on Windows. On
 * Linux a tray icon is not always shown (GNOME without an AppIndicator extension), so closing
 * the window there quits, rather than leave an invisible collector behind.
 */
export function closeBehaviour(platform: NodeJS.Platform, quitting: boolean): CloseBehaviour {
  if (quitting) return 'close';
  return platform === 'darwin' || platform === 'win32' ? 'hide' : 'close';
}

/** The one line a second launch prints before it exits (its window is already focused by the first). */
export function secondInstanceMessage(dataDir: string): string {
  return `Footfall is already running on ${dataDir}: its window was brought to the front.`;
}
