import { describe, expect, it } from 'vitest';
import { browserContext, classifyChannel, extractUtm, pageKey, parseUrl, parseUserAgent, referrerHost, type Utm } from './enrich';

const none: Utm = { source: null, medium: null, campaign: null, term: null, content: null };

describe('classifyChannel', () => {
  it.each([
    [none, null, 'direct'],
    [none, 'www.google.com', 'search'],
    [none, 'duckduckgo.com', 'search'],
    [none, 't.co', 'social'],
    [none, 'news.ycombinator.com', 'social'],
    [none, 'mail.google.com', 'email'],
    [none, 'blog.example.org', 'referral'],
    [{ ...none, source: 'newsletter', medium: 'email' }, null, 'email'],
    [{ ...none, source: 'li', medium: 'social' }, 'www.linkedin.com', 'social'],
    [{ ...none, source: 'google', medium: 'cpc', campaign: 'brand' }, 'www.google.com', 'campaign'],
    [{ ...none, source: 'partner' }, null, 'campaign'],
    [{ ...none, source: 'news' }, 'duckduckgo.com', 'search'],
  ])('%j from %s is %s', (utm, ref, channel) => {
    expect(classifyChannel(utm, ref)).toBe(channel);
  });
});

describe('page context', () => {
  it('reads UTM from context.utm first, then the URL', () => {
    const url = parseUrl('https://a.test/?utm_source=x&utm_medium=y&utm_campaign=z&utm_term=t&utm_content=c');
    expect(extractUtm(url, undefined)).toEqual({ source: 'x', medium: 'y', campaign: 'z', term: 't', content: 'c' });
    expect(extractUtm(url, { source: 'ctx' }).source).toBe('ctx');
    expect(extractUtm(null, { utm_campaign: 'c2' }).campaign).toBe('c2');
  });

  it('takes the referrer host from Tracardi\'s referer object or a URL, ignoring self-referrals', () => {
    const page = parseUrl('https://www.shop.test/a');
    expect(referrerHost({ referer: { host: 'www.Google.com' } }, page)).toBe('google.com');
    expect(referrerHost({ referrer: 'https://news.site/x' }, page)).toBe('news.site');
    expect(referrerHost({ referer: { host: 'shop.test' } }, page)).toBeNull();
    expect(referrerHost({ referer: {} }, page)).toBeNull();
  });

  it('keys pages by host and path', () => {
    expect(pageKey(parseUrl('https://shop.test/cart?x=1#y'), null)).toBe('shop.test/cart');
    expect(pageKey(null, '/relative')).toBe('/relative');
  });
});

describe('browserContext', () => {
  it("reads the flat shape and Tracardi's tracker's `local` nesting", () => {
    expect(browserContext({ browser: { userAgent: 'UA', language: 'pl' }, screen: { width: 1, height: 2 } })).toEqual({ userAgent: 'UA', language: 'pl', screen: { width: 1, height: 2 } });
    expect(
      browserContext({
        browser: { local: { browser: { name: 'Netscape', userAgent: 'UA2', language: 'de-DE' }, device: { platform: 'Linux' } } },
        screen: { local: { width: 1920, height: 1080, innerWidth: 1200 } },
      }),
    ).toEqual({ userAgent: 'UA2', language: 'de-DE', screen: { width: 1920, height: 1080 } });
    expect(browserContext({})).toEqual({ userAgent: null, language: null, screen: null });
  });
});

describe('parseUserAgent', () => {
  it('finds browser, OS, device type and bots', () => {
    expect(parseUserAgent('Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36')).toMatchObject({ browser: 'Chrome', os: 'Android', device: 'mobile', bot: false });
    expect(parseUserAgent('Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1')).toMatchObject({ device: 'tablet' });
    expect(parseUserAgent('Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)')).toMatchObject({ bot: true, device: 'bot' });
    expect(parseUserAgent('python-requests/2.31').bot).toBe(true);
    // A person testing with curl is a person: named, not a bot.
    expect(parseUserAgent('curl/8.5.0')).toMatchObject({ bot: false, browser: 'curl', browserVersion: '8.5.0', device: 'desktop' });
    expect(parseUserAgent('')).toMatchObject({ bot: false, device: 'desktop', browser: null });
  });

  it('caches: the same agent gives the same object', () => {
    const ua = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
    expect(parseUserAgent(ua)).toBe(parseUserAgent(ua));
  });
});
