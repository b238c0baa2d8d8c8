import { describe, expect, it } from 'vitest';
import { hostRefusal, parseHost } from './host';

describe('parseHost', () => {
  it('takes a name, an IPv4 or a bracketed IPv6 address, with an optional :port', () => {
    expect(parseHost('127.0.0.1:8686')).toEqual({ name: '127.0.0.1', port: 8686 });
    expect(parseHost('LocalHost')).toEqual({ name: 'localhost', port: null });
    expect(parseHost('[::1]:8686')).toEqual({ name: '[::1]', port: 8686 });
    expect(parseHost('[FE80::1]')).toEqual({ name: '[fe80::1]', port: null });
    expect(parseHost('my-laptop.local:1')).toEqual({ name: 'my-laptop.local', port: 1 });
    expect(parseHost('my_pc:65535')).toEqual({ name: 'my_pc', port: 65535 });
  });

  it('refuses anything else, rather than splitting at the first colon', () => {
    for (const h of ['localhost:8686@evil', 'localhost:8686.evil.test', '127.0.0.1:8686.evil.test', '[::1].evil.test', 'localhost:evil.test', 'a:1:2', 'user@localhost', 'localhost:', ':8686', '', ' localhost', 'local host', 'localhost:65536', 'localhost:8686/', '[::1', '::1', 'a..b', 'é.test']) {
      expect(parseHost(h), h).toBeNull();
    }
    expect(parseHost(undefined)).toBeNull();
  });
});

describe('hostRefusal', () => {
  it('counts the Host headers a request really carried', () => {
    expect(hostRefusal(['Host', 'a:1', 'host', 'b'], 'a:1')).toContain('2 Host headers');
    expect(hostRefusal(['Host', 'a:1', 'Accept', '*/*'], 'a:1')).toBeNull();
    expect(hostRefusal([], undefined)).toContain('Host ""');
  });
});
