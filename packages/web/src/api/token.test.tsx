import { describe, expect, it, vi } from 'vitest';
import { bootstrapToken, TOKEN_STORAGE_KEY } from './token';

function environment(hash: string, stored?: string) {
  const values = new Map<string, string>(stored ? [[TOKEN_STORAGE_KEY, stored]] : []);
  return {
    location: { hash, pathname: '/w/ws_1', search: '' },
    history: { state: null, replaceState: vi.fn() },
    storage: {
      getItem: (key: string) => values.get(key) ?? null,
      setItem: (key: string, value: string) => values.set(key, value),
    },
    values,
  };
}

describe('bootstrapToken', () => {
  it('moves the token from the fragment into session storage and clears the address bar', () => {
    const env = environment('#token=abc123');
    expect(bootstrapToken(env)).toBe('abc123');
    expect(env.values.get(TOKEN_STORAGE_KEY)).toBe('abc123');
    expect(env.history.replaceState).toHaveBeenCalledWith(null, '', '/w/ws_1');
  });

  it('uses the stored token after a reload, without touching the URL', () => {
    const env = environment('', 'stored');
    expect(bootstrapToken(env)).toBe('stored');
    expect(env.history.replaceState).not.toHaveBeenCalled();
  });

  it('returns undefined when there is no token anywhere', () => {
    expect(bootstrapToken(environment(''))).toBeUndefined();
  });
});
