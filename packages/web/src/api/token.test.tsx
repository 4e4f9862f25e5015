import { describe, expect, it, vi } from 'vitest';
import { bootstrapToken, TOKEN_STORAGE_KEY, watchTokenLinks } from './token';

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

describe('watchTokenLinks', () => {
  function linkEnvironment(stored?: string) {
    const env = environment('', stored);
    const target = new EventTarget();
    return {
      ...env,
      events: target as unknown as Pick<Window, 'addEventListener' | 'removeEventListener'>,
      paste: (hash: string) => {
        env.location.hash = hash;
        target.dispatchEvent(new Event('hashchange'));
      },
    };
  }

  it('takes a pasted launch link as at load: stored, address bar cleared, the caller told', () => {
    const env = linkEnvironment('stale');
    const onNewToken = vi.fn();
    watchTokenLinks(onNewToken, env);
    env.paste('#token=fresh');
    expect(env.values.get(TOKEN_STORAGE_KEY)).toBe('fresh');
    expect(env.history.replaceState).toHaveBeenCalledWith(null, '', '/w/ws_1');
    expect(onNewToken).toHaveBeenCalledWith('fresh');
  });

  it('clears the same token from the address bar without starting over; ignores other fragments', () => {
    const env = linkEnvironment('same');
    const onNewToken = vi.fn();
    watchTokenLinks(onNewToken, env);
    env.paste('#token=same');
    expect(env.history.replaceState).toHaveBeenCalledTimes(1);
    env.paste('#section');
    expect(env.history.replaceState).toHaveBeenCalledTimes(1);
    expect(onNewToken).not.toHaveBeenCalled();
  });

  it('stops listening when disposed', () => {
    const env = linkEnvironment();
    const onNewToken = vi.fn();
    watchTokenLinks(onNewToken, env)();
    env.paste('#token=late');
    expect(onNewToken).not.toHaveBeenCalled();
    expect(env.values.get(TOKEN_STORAGE_KEY)).toBeUndefined();
  });
});
