// electron-builder.yml checked offline: against electron-builder's own schema (what
// `electron-builder` does before packaging), and for what Footfall needs of it.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DebugLogger } from 'builder-util';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';

const ROOT = resolve(__dirname, '../..');

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): [number, number] {
  const b = readFileSync(file);
  expect(b.subarray(1, 4).toString('latin1')).toBe('PNG');
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

describe('electron-builder.yml', async () => {
  const config = await getConfig(ROOT, join(ROOT, 'electron-builder.yml'), null);

  it("passes electron-builder's schema", async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('is a check that can fail: a misspelt option is refused', async () => {
    await expect(validateConfiguration({ ...config, asarUnpak: ['x'] } as typeof config, new DebugLogger(false))).rejects.toThrow(/asarUnpak/);
  });

  it('names the app and targets AppImage + deb, dmg and nsis', () => {
    expect(config.appId).toBe('app.footfall.desktop');
    expect(config.productName).toBe('Footfall');
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.mac?.target).toEqual(['dmg']);
    expect(config.win?.target).toEqual(['nsis']);
  });

  it('unpacks better-sqlite3 from the asar and rebuilds it for Electron only while packaging', () => {
    expect(config.asarUnpack).toContain('node_modules/better-sqlite3/**');
    expect(config.npmRebuild).toBe(true);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    for (const hook of ['postinstall', 'install', 'preinstall', 'prepare']) {
      expect(pkg.scripts[hook] ?? '').not.toMatch(/install-app-deps|electron-rebuild|electron-builder/);
    }
  });

  it('ships the built app and the icons the shell loads at run time', () => {
    // getConfig normalises `files` into file sets; the patterns are in their filters.
    const patterns = JSON.stringify(config.files);
    for (const p of ['out/main/**', 'out/preload/**', 'out/renderer/**', 'resources/tray.png', 'resources/trayTemplate.png', 'resources/icons/512x512.png']) {
      expect(patterns).toContain(JSON.stringify(p));
    }
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string };
    expect(pkg.main).toBe('out/main/index.js');
  });

  it('points at icons that exist, in the sizes each platform needs', () => {
    expect(existsSync(join(ROOT, config.mac!.icon!))).toBe(true);
    expect(existsSync(join(ROOT, config.win!.icon!))).toBe(true);
    for (const n of [16, 24, 32, 48, 64, 128, 256, 512]) {
      expect(pngSize(join(ROOT, config.linux!.icon!, `${n}x${n}.png`))).toEqual([n, n]);
    }
    expect(pngSize(join(ROOT, 'resources/icon.png'))).toEqual([1024, 1024]);
    expect(pngSize(join(ROOT, 'resources/tray.png'))).toEqual([16, 16]);
    expect(pngSize(join(ROOT, 'resources/tray@2x.png'))).toEqual([32, 32]);
    expect(pngSize(join(ROOT, 'resources/trayTemplate.png'))).toEqual([16, 16]);
    expect(pngSize(join(ROOT, 'resources/trayTemplate@2x.png'))).toEqual([32, 32]);
  });

  it('has a Windows icon with 16-256 px images and a macOS icon up to 1024 px', () => {
    const ico = readFileSync(join(ROOT, 'resources/icon.ico'));
    expect(ico.readUInt16LE(2)).toBe(1);
    const count = ico.readUInt16LE(4);
    const sizes = Array.from({ length: count }, (_, i) => ico.readUInt8(6 + 16 * i) || 256);
    expect(sizes).toEqual([16, 24, 32, 48, 64, 128, 256]);
    const icns = readFileSync(join(ROOT, 'resources/icon.icns'));
    expect(icns.subarray(0, 4).toString('latin1')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const types: string[] = [];
    for (let i = 8; i < icns.length; i += icns.readUInt32BE(i + 4)) types.push(icns.subarray(i, i + 4).toString('latin1'));
    expect(types).toEqual(expect.arrayContaining(['icp4', 'icp5', 'ic07', 'ic08', 'ic09', 'ic10']));
  });
});
