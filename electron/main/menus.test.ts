import { describe, expect, it } from 'vitest';
import { appMenu, trayMenu, trayTooltip, type CollectorStatus, type MenuItemModel } from './menus';

const listening: CollectorStatus = { state: 'listening', url: 'http://127.0.0.1:8686', port: 8686, paused: false, eventsToday: 12345 };

function labels(items: MenuItemModel[]): string[] {
  return items.filter((i) => i.type !== 'separator').map((i) => i.label ?? `(${i.role})`);
}

describe('the tray', () => {
  it('shows where the collector listens, events today, and the four actions', () => {
    const m = trayMenu(listening, 'en-US');
    expect(labels(m)).toEqual(['Collector listening on 127.0.0.1:8686', 'Events today: 12,345', 'Copy tracker snippet', 'Open dashboard', 'Pause collecting', 'Quit Footfall']);
    expect(m.filter((i) => i.action).every((i) => i.enabled !== false)).toBe(true);
    expect(m.find((i) => i.action === 'toggle-pause')).toMatchObject({ type: 'checkbox', checked: false });
    expect(trayTooltip(listening, 'en-US')).toBe('Footfall: listening on 127.0.0.1:8686, 12,345 events today');
  });

  it('says when collecting is paused, with the box ticked', () => {
    const paused: CollectorStatus = { ...listening, paused: true, eventsToday: 0 };
    const m = trayMenu(paused, 'en-US');
    expect(m[0]!.label).toBe('Collector paused (port 8686 refuses events)');
    expect(m.find((i) => i.action === 'toggle-pause')).toMatchObject({ checked: true, enabled: true });
    expect(trayTooltip(paused, 'en-US')).toBe('Footfall: paused on 127.0.0.1:8686, 0 events today');
    expect(trayTooltip({ ...listening, eventsToday: 1 }, 'en-US')).toBe('Footfall: listening on 127.0.0.1:8686, 1 event today');
  });

  it('says why nothing is collected when the port was taken, and offers only what still works', () => {
    const stopped: CollectorStatus = { state: 'stopped', port: 8686, reason: 'port 8686 is in use' };
    const m = trayMenu(stopped);
    expect(m[0]!.label).toBe('Collector not running: port 8686 is in use');
    expect(m[1]!.label).toBe('Events today: –');
    expect(m.find((i) => i.action === 'copy-snippet')!.enabled).toBe(false);
    expect(m.find((i) => i.action === 'toggle-pause')!.enabled).toBe(false);
    expect(m.find((i) => i.action === 'quit')!.enabled).not.toBe(false);
    expect(trayTooltip(stopped)).toBe('Footfall: not running: port 8686 is in use');
    expect(trayMenu({ state: 'starting', port: 8686 })[0]!.label).toBe('Collector starting on port 8686…');
  });
});

describe('the application menu', () => {
  it('starts with the app menu on macOS, and quits from File elsewhere', () => {
    const mac = appMenu(listening, { platform: 'darwin', devTools: false });
    expect(mac[0]!.label).toBe('Footfall');
    expect(mac[0]!.submenu!.some((i) => i.role === 'quit')).toBe(true);
    const linux = appMenu(listening, { platform: 'linux', devTools: false });
    expect(linux[0]!.label).toBe('&File');
    expect(linux[0]!.submenu!.find((i) => i.action === 'quit')).toMatchObject({ accelerator: 'CmdOrCtrl+Q' });
    expect(linux.some((i) => i.role === 'editMenu')).toBe(true);
  });

  it('offers developer tools only when asked', () => {
    const roles = (ms: MenuItemModel[]) => ms.flatMap((m) => m.submenu ?? []).map((i) => i.role);
    expect(roles(appMenu(listening, { platform: 'linux', devTools: false }))).not.toContain('toggleDevTools');
    expect(roles(appMenu(listening, { platform: 'linux', devTools: true }))).toContain('toggleDevTools');
  });
});
