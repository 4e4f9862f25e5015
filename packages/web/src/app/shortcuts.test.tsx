import { describe, expect, it } from 'vitest';
import { matchShortcut } from './shortcuts';

const key = (init: Partial<KeyboardEvent>) => ({
  key: '',
  code: '',
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...init,
});

describe('matchShortcut', () => {
  it('opens the palette with Ctrl+K or Cmd+K, even while typing', () => {
    expect(matchShortcut(key({ key: 'k', ctrlKey: true }), true)).toBe('palette');
    expect(matchShortcut(key({ key: 'K', metaKey: true }), false)).toBe('palette');
    expect(matchShortcut(key({ key: 'k', ctrlKey: true, shiftKey: true }), false)).toBeUndefined();
  });

  it('matches Alt shortcuts by physical key (Option+N types "˜" on a Mac)', () => {
    expect(matchShortcut(key({ key: '˜', code: 'KeyN', altKey: true }), false, true)).toBe('newSession');
    expect(matchShortcut(key({ key: 'n', code: 'KeyN', altKey: true }), true, false)).toBe('newSession');
    expect(matchShortcut(key({ key: 'ArrowDown', code: 'ArrowDown', altKey: true }), false)).toBe(
      'nextSession',
    );
    expect(matchShortcut(key({ key: 'c', code: 'KeyC', altKey: true }), false)).toBe('toggleChanges');
    expect(matchShortcut(key({ key: 'p', code: 'KeyP', altKey: true }), true, false)).toBe('focusPermission');
  });

  it('leaves Option+letters to the text field on a Mac (accented characters), but not Option+arrows', () => {
    expect(matchShortcut(key({ key: '˜', code: 'KeyN', altKey: true }), true, true)).toBeUndefined();
    expect(matchShortcut(key({ key: 'ArrowUp', code: 'ArrowUp', altKey: true }), true, true)).toBe(
      'previousSession',
    );
  });

  it('leaves Alt+arrows to a drop-down list (they open it), while other Alt shortcuts still act', () => {
    const altDown = key({ key: 'ArrowDown', code: 'ArrowDown', altKey: true });
    expect(matchShortcut(altDown, true, false, true)).toBeUndefined();
    expect(
      matchShortcut(key({ key: 'ArrowUp', code: 'ArrowUp', altKey: true }), true, false, true),
    ).toBeUndefined();
    expect(matchShortcut(key({ key: 'n', code: 'KeyN', altKey: true }), true, false, true)).toBe(
      'newSession',
    );
  });

  it('treats ? as text while typing, and as help elsewhere', () => {
    expect(matchShortcut(key({ key: '?', shiftKey: true }), false)).toBe('help');
    expect(matchShortcut(key({ key: '?', shiftKey: true }), true)).toBeUndefined();
    expect(matchShortcut(key({ key: 'n' }), false)).toBeUndefined();
  });
});
