import { describe, expect, it } from 'vitest';
import { DEFAULTS, USAGE } from '../../engine/config';
import { engineConfig, footfallArgs, FOOTFALL_FLAGS, readDesktopArgs, validPort } from './args';

describe('footfallArgs', () => {
  it("keeps Footfall's flags and drops the executable, app path and Chromium/Node switches", () => {
    const argv = ['/opt/electron', '--no-sandbox', '--inspect=0', '--remote-debugging-port=0', '.', '--port', '9001', '--data-dir=/tmp/x', '--enable-logging'];
    expect(footfallArgs(argv)).toEqual(['--port', '9001', '--data-dir=/tmp/x']);
  });

  it('keeps a flag left without a value, so loadConfig can say what is missing', () => {
    expect(footfallArgs(['app', '--port'])).toEqual(['--port']);
    expect(() => readDesktopArgs(['app', '--port'], {})).toThrow(/--port needs a value/);
  });

  it('knows every flag that npm run serve documents', () => {
    const documented = new Set([...USAGE.matchAll(/^\s+(--[a-z-]+)/gm)].map((m) => m[1]));
    expect(documented.size).toBeGreaterThan(0);
    expect(new Set(FOOTFALL_FLAGS)).toEqual(documented);
  });
});

describe('readDesktopArgs and engineConfig', () => {
  it('puts the data in userData and uses the saved port when neither was given', () => {
    const args = readDesktopArgs(['electron', '.'], {});
    expect(args.userDataOverride).toBeNull();
    const c = engineConfig(args, '/home/u/.config/Footfall', 9100);
    expect(c.dataDir).toBe('/home/u/.config/Footfall');
    expect(c.port).toBe(9100);
    expect(engineConfig(args, '/u', null).port).toBe(DEFAULTS.port);
  });

  it('lets --data-dir move userData too, and a flag or env port win over the saved one', () => {
    const args = readDesktopArgs(['footfall', '--data-dir', '/tmp/ff-data', '--port', '0'], {});
    expect(args.userDataOverride).toBe('/tmp/ff-data');
    const c = engineConfig(args, '/ignored', 9100);
    expect(c.dataDir).toBe('/tmp/ff-data');
    expect(c.port).toBe(0);
    expect(engineConfig(readDesktopArgs(['footfall'], { FOOTFALL_PORT: '7000' }), '/u', 9100).port).toBe(7000);
  });

  it('refuses a bad value with the same words as npm run serve', () => {
    expect(() => readDesktopArgs(['footfall', '--port', '99999'], {})).toThrow(/--port must be a port number/);
  });
});

describe('validPort', () => {
  it('takes integers 1-65535 only', () => {
    expect(validPort(8687)).toBe(8687);
    for (const bad of [0, -1, 65536, 80.5, '8687', null, undefined, Number.NaN]) expect(validPort(bad)).toBeNull();
  });
});
