import { describe, expect, it } from 'vitest';
import { defaultDataDir, loadConfig } from './config';
import { StartupError } from './errors';

describe('loadConfig', () => {
  it('has the contract defaults', () => {
    const c = loadConfig([], {});
    expect(c).toMatchObject({ host: '127.0.0.1', port: 8686, sessionTimeout: 1800, sweepInterval: 10, token: null, explicit: [] });
  });

  it('reads flags in both forms, env vars, and flags win over env', () => {
    const c = loadConfig(['--port', '9000', '--session-timeout=2', '--sweep-interval', '0.5', '--data-dir', 'rel/dir'], {
      FOOTFALL_PORT: '1234',
      FOOTFALL_HOST: '0.0.0.0',
      FOOTFALL_TOKEN: 'tok',
    });
    expect(c.port).toBe(9000);
    expect(c.host).toBe('0.0.0.0');
    expect(c.token).toBe('tok');
    expect(c.sessionTimeout).toBe(2);
    expect(c.sweepInterval).toBe(0.5);
    expect(c.dataDir).toBe(`${process.cwd()}/rel/dir`);
    expect(c.explicit).toEqual(expect.arrayContaining(['port', 'host', 'token', 'sessionTimeout', 'sweepInterval', 'dataDir']));
  });

  it.each([
    [['--port', 'eighty'], /--port must be a port/],
    [['--port', '70000'], /--port/],
    [['--session-timeout', '0'], /--session-timeout must be a positive/],
    [['--sweep-interval', '-1'], /--sweep-interval/],
    [['--colour'], /Unknown option "--colour"/],
    [['--port'], /--port needs a value/],
  ])('refuses %j with a message naming the flag', (argv, pattern) => {
    expect(() => loadConfig(argv, {})).toThrow(StartupError);
    expect(() => loadConfig(argv, {})).toThrow(pattern);
  });

  it('--forward is repeatable, FOOTFALL_FORWARD is comma-separated, and the flags replace the variable', () => {
    const env = { FOOTFALL_FORWARD: 'clickhouse+http://ch:8123/a, track+http://t:1/track?source=s' };
    expect(loadConfig([], env).forward).toEqual(['clickhouse+http://ch:8123/a', 'track+http://t:1/track?source=s']);
    expect(loadConfig(['--forward', 'clickhouse+http://x/db', '--forward=clickhouse+http://y/db'], env).forward).toEqual(['clickhouse+http://x/db', 'clickhouse+http://y/db']);
    expect(loadConfig([], {}).forward).toEqual([]);
  });

  it('refuses an upstream it cannot use, naming the flag, never quoting the password', () => {
    for (const [argv, env, where] of [
      [['--forward', 'http://u:hunter22@ch/db'], {}, '--forward'],
      [[], { FOOTFALL_FORWARD: 'track+http://u:hunter22@t/track' }, 'FOOTFALL_FORWARD'],
    ] as const) {
      let err: unknown;
      try {
        loadConfig(argv, env);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(StartupError);
      expect((err as Error).message.startsWith(`${where}: `)).toBe(true);
      expect((err as Error).message).not.toContain('hunter22');
    }
    expect(() => loadConfig(['--forward'], {})).toThrow(/--forward needs a URL/);
  });

  it('puts data where the OS keeps app data', () => {
    expect(defaultDataDir('linux', {}, '/home/u')).toBe('/home/u/.config/Footfall');
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '/x' }, '/home/u')).toBe('/x/Footfall');
    expect(defaultDataDir('darwin', {}, '/Users/u')).toBe('/Users/u/Library/Application Support/Footfall');
    expect(defaultDataDir('win32', { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'C:\\Users\\u')).toContain('Footfall');
  });
});
