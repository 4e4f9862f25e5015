/**
 * A small value kept in localStorage and shared by every component that reads it (through
 * `useSyncExternalStore`), so a preference changed in the command palette shows everywhere at once
 * and survives a reload. Storage can be disabled or full: the value then lasts for this page only.
 */
export class LocalValue<T> {
  private value: T;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly key: string,
    parse: (stored: string) => T | undefined,
    fallback: T,
    private readonly storage: Pick<Storage, 'getItem' | 'setItem'> | undefined = safeLocalStorage(),
  ) {
    const stored = readItem(storage, key);
    this.value = (stored === null ? undefined : parse(stored)) ?? fallback;
  }

  get = (): T => this.value;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  set(value: T): void {
    if (Object.is(value, this.value)) return;
    this.value = value;
    try {
      this.storage?.setItem(this.key, typeof value === 'string' ? value : JSON.stringify(value));
    } catch {
      // Full or disabled storage: keep the value in memory (see the class comment).
    }
    for (const listener of this.listeners) listener();
  }
}

export function safeLocalStorage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    // Some browsers throw on access when storage is disabled for the site.
    return undefined;
  }
}

function readItem(storage: Pick<Storage, 'getItem'> | undefined, key: string): string | null {
  try {
    return storage?.getItem(key) ?? null;
  } catch {
    // See safeLocalStorage: no storage simply means no remembered value.
    return null;
  }
}
