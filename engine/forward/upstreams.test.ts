import { describe, expect, it } from 'vitest';
import { parseUpstream, scrubSecrets, UpstreamUrlError } from './upstreams';

describe('an upstream URL', () => {
  it('clickhouse+http: the database, the HTTP endpoint, and a URL without credentials', () => {
    const u = parseUpstream('clickhouse+http://alice:s3cr%40t@ch.internal:18123/analytics');
    expect(u).toMatchObject({ kind: 'clickhouse', url: 'clickhouse+http://ch.internal:18123/analytics', endpoint: 'http://ch.internal:18123', database: 'analytics', username: 'alice', password: 's3cr@t' });
    expect(u.secrets).toEqual(['s3cr%40t', 's3cr@t']);
    expect(parseUpstream('clickhouse+https://ch.example.com/x').endpoint).toBe('https://ch.example.com:8443');
    expect(parseUpstream('clickhouse+http://ch/').database).toBe('default');
  });

  it('track+http: the /track URL and the source, which stays in the shown URL', () => {
    const u = parseUpstream('track+http://bob:pw@[::1]:8686/track?source=team');
    expect(u).toMatchObject({ kind: 'track', url: 'track+http://[::1]:8686/track?source=team', endpoint: 'http://[::1]:8686/track', source: 'team', password: 'pw' });
    expect(parseUpstream('track+https://tracardi.example.com?source=s1').endpoint).toBe('https://tracardi.example.com/track');
  });

  it('the same upstream with other credentials has the same id (one mark)', () => {
    expect(parseUpstream('clickhouse+http://a:1@h:1/db').id).toBe(parseUpstream('clickhouse+http://b:2@h:1/db').id);
    expect(parseUpstream('clickhouse+http://h:1/db').id).not.toBe(parseUpstream('clickhouse+http://h:1/db2').id);
  });

  it('is refused with a message that names what is wrong and never the password', () => {
    const cases: Array<[string, RegExp]> = [
      ['http://u:hunter22@h:8123/db', /"http:" upstreams are not known/],
      ['clickhouse+http://u:hunter22@h/db;drop', /database name may hold letters/],
      ['clickhouse+http://u:hunter22@h/db?password=hunter22', /"password" is not a parameter/],
      ['track+http://u:hunter22@h/track', /needs \?source=ID/],
      ['track+http://u:hunter22@h/track?source=a&source=b', /needs \?source=ID/],
      ['track+http://u:hunter22@h/track?source=a&x=1', /"x" is not a parameter/],
      ['clickhouse+http://u:hunter22@', /not a URL|needs a host/],
      ['not a url hunter22', /not a URL/],
    ];
    for (const [raw, message] of cases) {
      let err: unknown;
      try {
        parseUpstream(raw);
      } catch (e) {
        err = e;
      }
      expect(err, raw).toBeInstanceOf(UpstreamUrlError);
      expect((err as Error).message, raw).toMatch(message);
      expect((err as Error).message, raw).not.toContain('hunter22');
    }
  });

  it('scrubs its secrets from a message', () => {
    const u = parseUpstream('clickhouse+http://u:p%2Fq@h/db');
    expect(scrubSecrets('auth p%2Fq and p/q failed', u.secrets)).toBe('auth [redacted] and [redacted] failed');
  });
});
