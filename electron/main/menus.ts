/**
 * The tray's and the application menu's contents as plain data, built from the collector's
 * state; electron/main/index.ts turns them into Electron menus and wires the actions.
 */

export type CollectorStatus =
  | { state: 'starting'; port: number }
  | { state: 'listening'; url: string; port: number; paused: boolean; eventsToday: number | null }
  | { state: 'stopped'; port: number; reason: string };

export type MenuAction = 'copy-snippet' | 'open-dashboard' | 'toggle-pause' | 'open-data-folder' | 'about' | 'quit';

export interface MenuItemModel {
  label?: string;
  action?: MenuAction;
  /** An Electron menu role (edit commands, zoom, window handling...). */
  role?: string;
  type?: 'normal' | 'separator' | 'checkbox';
  checked?: boolean;
  enabled?: boolean;
  accelerator?: string;
  submenu?: MenuItemModel[];
}

const SEP: MenuItemModel = { type: 'separator' };

function hostPort(url: string): string {
  return new URL(url).host;
}

/** The first line of the tray menu: is the collector taking events, and where. */
export function statusLine(s: CollectorStatus): string {
  switch (s.state) {
    case 'starting':
      return `Collector starting on port ${s.port}…`;
    case 'listening':
      return s.paused ? `Collector paused (port ${s.port} refuses events)` : `Collector listening on ${hostPort(s.url)}`;
    case 'stopped':
      return `Collector not running: ${s.reason}`;
  }
}

export function eventsTodayLine(s: CollectorStatus, locale?: string): string {
  const n = s.state === 'listening' ? s.eventsToday : null;
  return `Events today: ${n === null ? '–' : new Intl.NumberFormat(locale).format(n)}`;
}

/** The tray icon's hover text: the status in one line. */
export function trayTooltip(s: CollectorStatus, locale?: string): string {
  if (s.state !== 'listening') return `Footfall: ${statusLine(s).replace(/^Collector /, '')}`;
  const n = s.eventsToday;
  const events = n === null ? 'no count of events' : `${new Intl.NumberFormat(locale).format(n)} ${n === 1 ? 'event' : 'events'}`;
  return `Footfall: ${s.paused ? 'paused' : 'listening'} on ${hostPort(s.url)}, ${events} today`;
}

export function trayMenu(s: CollectorStatus, locale?: string): MenuItemModel[] {
  const running = s.state === 'listening';
  return [
    { label: statusLine(s), enabled: false },
    { label: eventsTodayLine(s, locale), enabled: false },
    SEP,
    { label: 'Copy tracker snippet', action: 'copy-snippet', enabled: running },
    { label: 'Open dashboard', action: 'open-dashboard' },
    { label: 'Pause collecting', action: 'toggle-pause', type: 'checkbox', checked: running && s.paused, enabled: running },
    SEP,
    { label: 'Quit Footfall', action: 'quit' },
  ];
}

/** The application menu; on macOS it starts with the app menu, as the platform expects. */
export function appMenu(s: CollectorStatus, opts: { platform: NodeJS.Platform; devTools: boolean }): MenuItemModel[] {
  const mac = opts.platform === 'darwin';
  const running = s.state === 'listening';
  const appMenuItems: MenuItemModel[] = mac
    ? [
        {
          label: 'Footfall',
          submenu: [{ role: 'about' }, SEP, { role: 'services' }, SEP, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, SEP, { role: 'quit' }],
        },
      ]
    : [];
  const file: MenuItemModel = {
    label: mac ? 'File' : '&File',
    submenu: [
      { label: 'Copy Tracker Snippet', action: 'copy-snippet', accelerator: 'CmdOrCtrl+Shift+C', enabled: running },
      { label: 'Pause Collecting', action: 'toggle-pause', type: 'checkbox', checked: running && s.paused, enabled: running },
      SEP,
      { label: 'Open Data Folder', action: 'open-data-folder' },
      SEP,
      mac ? { role: 'close' } : { label: 'Quit', action: 'quit', accelerator: 'CmdOrCtrl+Q' },
    ],
  };
  const view: MenuItemModel = {
    label: mac ? 'View' : '&View',
    submenu: [
      { role: 'reload' },
      { role: 'forceReload' },
      ...(opts.devTools ? [{ role: 'toggleDevTools' }] : []),
      SEP,
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      SEP,
      { role: 'togglefullscreen' },
    ],
  };
  const help: MenuItemModel = { role: 'help', label: mac ? 'Help' : '&Help', submenu: mac ? [{ label: 'Open Data Folder', action: 'open-data-folder' }] : [{ label: 'About Footfall', action: 'about' }] };
  return [...appMenuItems, file, { role: 'editMenu' }, view, { role: 'windowMenu' }, help];
}
