import { describe, expect, it } from 'vitest';
import { closeBehaviour, revealSteps, secondInstanceMessage } from './instance';

describe('revealSteps', () => {
  it('makes a window when there is none', () => {
    expect(revealSteps({ exists: false, minimized: false, visible: false })).toEqual(['create', 'focus']);
  });
  it('restores a minimised window and shows a hidden one, then focuses', () => {
    expect(revealSteps({ exists: true, minimized: true, visible: true })).toEqual(['restore', 'focus']);
    expect(revealSteps({ exists: true, minimized: false, visible: false })).toEqual(['show', 'focus']);
    expect(revealSteps({ exists: true, minimized: true, visible: false })).toEqual(['restore', 'show', 'focus']);
  });
  it('only focuses a window that is already on screen', () => {
    expect(revealSteps({ exists: true, minimized: false, visible: true })).toEqual(['focus']);
  });
});

describe('closeBehaviour', () => {
  it('hides to the menu bar or tray on macOS and Windows, quits on Linux', () => {
    expect(closeBehaviour('darwin', false)).toBe('hide');
    expect(closeBehaviour('win32', false)).toBe('hide');
    expect(closeBehaviour('linux', false)).toBe('close');
  });
  it('always closes while quitting', () => {
    for (const p of ['darwin', 'win32', 'linux'] as const) expect(closeBehaviour(p, true)).toBe('close');
  });
});

it('tells a second launch what happened', () => {
  expect(secondInstanceMessage('/home/u/.config/Footfall')).toMatch(/already running on \/home\/u\/.config\/Footfall/);
});
