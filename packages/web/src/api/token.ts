/** Where the launch token lives for this tab: sessionStorage, so it dies with the tab. */
export const TOKEN_STORAGE_KEY = 'chatml.token';

interface TokenBootstrapEnvironment {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState' | 'state'>;
  storage: Pick<Storage, 'getItem' | 'setItem'>;
}

interface TokenLinkEnvironment extends TokenBootstrapEnvironment {
  events: Pick<Window, 'addEventListener' | 'removeEventListener'>;
}

/**
 * Takes the token from the launch URL (`/#token=…`) into sessionStorage and clears the fragment at
 * once, so the token never stays in the address bar, the history or a bookmark. Returns the token
 * for this tab, or undefined when the page was opened without one.
 */
export function bootstrapToken(env: TokenBootstrapEnvironment = browserEnvironment()): string | undefined {
  return takeTokenFromUrl(env) ?? env.storage.getItem(TOKEN_STORAGE_KEY) ?? undefined;
}

/**
 * A launch link pasted into a tab that is already open (e.g. after the backend restarted with a new
 * token) changes only the fragment: no load, only `hashchange`. Takes that token exactly as
 * `bootstrapToken` does — stored, and the fragment cleared at once — and calls `onNewToken` when
 * it differs from the one the tab had (the caller then starts over with it; the clients hold the
 * token they were made with). Returns the function that stops listening.
 */
export function watchTokenLinks(
  onNewToken: (token: string) => void,
  env: TokenLinkEnvironment = { ...browserEnvironment(), events: window },
): () => void {
  const onHashChange = () => {
    const previous = env.storage.getItem(TOKEN_STORAGE_KEY);
    const token = takeTokenFromUrl(env);
    if (token && token !== previous) onNewToken(token);
  };
  env.events.addEventListener('hashchange', onHashChange);
  return () => env.events.removeEventListener('hashchange', onHashChange);
}

/** Start over with the token now stored (the address bar no longer holds it: a plain reload). */
export function reloadWithStoredToken(): void {
  window.location.reload();
}

function takeTokenFromUrl(env: TokenBootstrapEnvironment): string | undefined {
  const fragment = new URLSearchParams(env.location.hash.replace(/^#/, ''));
  const fromUrl = fragment.get('token');
  if (!fromUrl) return undefined;
  env.storage.setItem(TOKEN_STORAGE_KEY, fromUrl);
  env.history.replaceState(env.history.state, '', env.location.pathname + env.location.search);
  return fromUrl;
}

function browserEnvironment(): TokenBootstrapEnvironment {
  return { location: window.location, history: window.history, storage: window.sessionStorage };
}
