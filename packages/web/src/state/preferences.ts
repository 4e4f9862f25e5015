import { LocalValue } from './local-store';

export type ThemeChoice = 'system' | 'light' | 'dark';
const themes: readonly ThemeChoice[] = ['system', 'light', 'dark'];

const flag = (stored: string) => (stored === 'true' ? true : stored === 'false' ? false : undefined);

/** The UI's remembered choices (this browser only). */
export interface Preferences {
  theme: LocalValue<ThemeChoice>;
  isChangesOpen: LocalValue<boolean>;
  isArchivedShown: LocalValue<boolean>;
  /** The user turned desktop notifications on here (the browser's permission is asked separately). */
  isNotifying: LocalValue<boolean>;
}

export function createPreferences(storage?: Pick<Storage, 'getItem' | 'setItem'>): Preferences {
  return {
    theme: new LocalValue<ThemeChoice>(
      'chatml.theme',
      (stored) => themes.find((theme) => theme === stored),
      'system',
      storage,
    ),
    isChangesOpen: new LocalValue('chatml.changesOpen', flag, false, storage),
    isArchivedShown: new LocalValue('chatml.archivedShown', flag, false, storage),
    isNotifying: new LocalValue('chatml.notifications', flag, false, storage),
  };
}

/** `data-theme` on the root element overrides the OS choice; without it CSS follows the OS. */
export function applyTheme(theme: ThemeChoice, root: HTMLElement = document.documentElement): void {
  if (theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = theme;
}
