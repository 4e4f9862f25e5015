import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';

interface Expansion {
  isExpanded(key: string): boolean;
  toggle(key: string): void;
}

const ExpansionContext = createContext<Expansion | undefined>(undefined);

/**
 * Remembers which cards are expanded by item key, above the virtualised list: rows unmount when they
 * scroll out of view, and an expanded card must still be expanded when it scrolls back.
 */
export function ExpansionProvider({ children }: { children: ReactNode }) {
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const toggle = useCallback((key: string) => {
    setExpanded((current) => {
      const next = new Set(current);
      if (!next.delete(key)) next.add(key);
      return next;
    });
  }, []);
  const value = useMemo(
    () => ({ isExpanded: (key: string) => expanded.has(key), toggle }),
    [expanded, toggle],
  );
  return <ExpansionContext.Provider value={value}>{children}</ExpansionContext.Provider>;
}

/** Expanded state for one item; falls back to local state outside a provider (e.g. in tests). */
export function useExpanded(key: string): [boolean, () => void] {
  const shared = useContext(ExpansionContext);
  const [isLocallyExpanded, setLocallyExpanded] = useState(false);
  if (shared) return [shared.isExpanded(key), () => shared.toggle(key)];
  return [isLocallyExpanded, () => setLocallyExpanded((value) => !value)];
}
