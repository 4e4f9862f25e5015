/** Where the launch token lives for this tab: sessionStorage, so it dies with the tab. */
export const TOKEN_STORAGE_KEY = 'chatml.token';

interface TokenBootstrapEnvironment {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState' | 'state'>;
  storage: Pick<Storage, 'getItem' | 'setItem'>;
}

/**
 * Takes the token from the launch URL (`/#token=…`) into sessionStorage and clears the fragment at
 * once, so the token never stays in the address bar, the history or a bookmark. Returns the token
 * for this tab, or undefined when the page was opened without one.
 */
export function bootstrapToken(env: TokenBootstrapEnvironment = browserEnvironment()): string | undefined {
  const fragment = new URLSearchParams(env.location.hash.replace(/^#/, ''));
  const fromUrl = fragment.get('token');
  if (fromUrl) {
    env.storage.setItem(TOKEN_STORAGE_KEY, fromUrl);
    env.history.replaceState(env.history.state, '', env.location.pathname + env.location.search);
    return fromUrl;
  }
  return env.storage.getItem(TOKEN_STORAGE_KEY) ?? undefined;
}

function browserEnvironment(): TokenBootstrapEnvironment {
  return { location: window.location, history: window.history, storage: window.sessionStorage };
}
