/**
 * The app's keyboard shortcuts, listed once: the help overlay shows this list and the global key
 * handler matches against it. Browsers keep Ctrl/Cmd+N, T and W for themselves, so app-wide
 * actions other than the palette use Alt (Option on a Mac), matched by physical key (`code`) because
 * Option turns letters into other characters there.
 */
export type ShortcutId =
  | 'palette'
  | 'help'
  | 'newSession'
  | 'toggleChanges'
  | 'nextSession'
  | 'previousSession'
  | 'focusComposer'
  | 'focusPermission';

export interface Shortcut {
  id: ShortcutId;
  /** As shown to people, e.g. "Ctrl+K". */
  keys: string;
  description: string;
}

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
const mod = isMac ? '⌘' : 'Ctrl';
const alt = isMac ? '⌥' : 'Alt';

export const SHORTCUTS: readonly Shortcut[] = [
  { id: 'palette', keys: `${mod}+K`, description: 'Command palette: switch sessions, run actions' },
  { id: 'newSession', keys: `${alt}+N`, description: 'New session' },
  { id: 'nextSession', keys: `${alt}+↓`, description: 'Next session in the list' },
  { id: 'previousSession', keys: `${alt}+↑`, description: 'Previous session in the list' },
  { id: 'toggleChanges', keys: `${alt}+C`, description: 'Show or hide the changes pane' },
  { id: 'focusComposer', keys: `${alt}+M`, description: 'Focus the message box' },
  { id: 'focusPermission', keys: `${alt}+P`, description: 'Go to the permission request waiting for you' },
  { id: 'help', keys: '?', description: 'This list of shortcuts' },
];

/** Keys that only act inside one control; listed in the help overlay, handled where they apply. */
export const LOCAL_KEYS: readonly { keys: string; description: string }[] = [
  { keys: 'Enter', description: 'Send the message (Shift+Enter: new line)' },
  { keys: 'Esc', description: 'Stop the running turn (in the message box); close a dialog' },
  { keys: '@', description: 'Pick a file of the worktree to mention (in the message box)' },
  { keys: `${mod}+Enter`, description: 'Create the session (in the new-session form)' },
  { keys: '←/→ on a pane divider', description: 'Resize the panes (Home/End: smallest/largest)' },
];

type KeyLike = Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>;

/**
 * Which shortcut a key press is, if any. `isTyping`: focus is in a text field, where `?` is text —
 * and on a Mac so are Option+letters (Option+N starts "ñ"), so only Option+arrows act there.
 * `isInSelect`: Alt+arrows open a drop-down list, so they are the list's, not session switching.
 */
export function matchShortcut(
  event: KeyLike,
  isTyping: boolean,
  onMac = isMac,
  isInSelect = false,
): ShortcutId | undefined {
  const isMod = event.ctrlKey || event.metaKey;
  if (isMod && !event.altKey && !event.shiftKey && event.key.toLowerCase() === 'k') return 'palette';
  const isLetterTyped = onMac && isTyping && event.code.startsWith('Key');
  if (event.altKey && !isMod && !event.shiftKey && !isLetterTyped) {
    switch (event.code) {
      case 'KeyN':
        return 'newSession';
      case 'KeyC':
        return 'toggleChanges';
      case 'KeyM':
        return 'focusComposer';
      case 'KeyP':
        return 'focusPermission';
      case 'ArrowDown':
        return isInSelect ? undefined : 'nextSession';
      case 'ArrowUp':
        return isInSelect ? undefined : 'previousSession';
    }
  }
  if (!isTyping && !isMod && !event.altKey && event.key === '?') return 'help';
  return undefined;
}

/** Focus is somewhere typing goes (so single-character shortcuts must stay text). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement)
    return !['checkbox', 'radio', 'button', 'submit'].includes(target.type);
  return false;
}
