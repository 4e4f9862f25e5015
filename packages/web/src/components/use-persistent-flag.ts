import { useState } from 'react';

/** A boolean UI preference kept in localStorage, so a pane's open state survives reloads. */
export function usePersistentFlag(storageKey: string, initial: boolean): [boolean, (value: boolean) => void] {
  const [value, setValue] = useState(() => {
    const stored = readStorage(storageKey);
    return stored === null ? initial : stored === 'true';
  });
  const update = (next: boolean) => {
    setValue(next);
    try {
      localStorage.setItem(storageKey, String(next));
    } catch {
      // Storage can be disabled or full; the preference then lasts for this page only.
    }
  };
  return [value, update];
}

function readStorage(storageKey: string): string | null {
  try {
    return localStorage.getItem(storageKey);
  } catch {
    // See above: no storage simply means no remembered preference.
    return null;
  }
}
