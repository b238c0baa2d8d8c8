import { describe, expect, it } from 'vitest';
import { noTraffic } from '../../../shared/traffic';
import { countHidden, hiddenPhrase, trafficFromParams, trafficParam, withHidden } from './traffic';

describe('the traffic filter in the URL', () => {
  it('reads traffic=, the older all=1, and defaults to people and automation', () => {
    expect([...trafficFromParams(new URLSearchParams(''))]).toEqual(['person', 'automation']);
    expect([...trafficFromParams(new URLSearchParams('traffic=bot,person'))].sort()).toEqual(['bot', 'person']);
    expect([...trafficFromParams(new URLSearchParams('traffic=all'))]).toHaveLength(4);
    expect([...trafficFromParams(new URLSearchParams('all=1'))]).toHaveLength(4);
    expect([...trafficFromParams(new URLSearchParams('traffic=robots,debug'))]).toEqual(['debug']);
  });

  it('writes nothing for the default, `all` for every class, else the classes in order', () => {
    expect(trafficParam(new Set(['automation', 'person']))).toBeNull();
    expect(trafficParam(new Set(['debug', 'bot', 'automation', 'person']))).toBe('all');
    expect(trafficParam(new Set(['bot', 'person']))).toBe('person,bot');
    expect(trafficParam(new Set())).toBe('');
  });
});

describe('what a view hides', () => {
  it('says it in one phrase, with another noun where a class has none of the first', () => {
    expect(hiddenPhrase(noTraffic(), 'session')).toBeNull();
    expect(hiddenPhrase({ ...noTraffic(), bot: 3 }, 'session')).toBe('3 bot sessions');
    expect(hiddenPhrase({ ...noTraffic(), bot: 1, debug: 1 }, 'session')).toBe('1 bot session and 1 debug session');
    expect(hiddenPhrase({ ...noTraffic(), bot: 13 }, 'session', { counts: { ...noTraffic(), bot: 90, debug: 51 }, noun: 'event' })).toBe('13 bot sessions and 51 debug events');
    expect(hiddenPhrase({ ...noTraffic(), person: 2, automation: 1, bot: 4 }, 'profile')).toBe('2 people’s profiles, 1 automation profile and 4 bot profiles');
  });

  it('counts a feed’s rows by class, and shows what was hidden', () => {
    const hidden = countHidden(['person', 'bot', 'bot', 'debug'], new Set(['person', 'automation']));
    expect(hidden).toEqual({ person: 0, automation: 0, bot: 2, debug: 1 });
    expect([...withHidden(new Set(['person', 'automation']), hidden)].sort()).toEqual(['automation', 'bot', 'debug', 'person']);
  });
});
