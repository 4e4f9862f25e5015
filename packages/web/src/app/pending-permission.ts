import type { Session } from '@chatml/protocol';

const ALLOW = '[data-testid="permission-allow"]';

/** A permission request is on screen (in the session shown). */
export function isPermissionShown(root: ParentNode = document): boolean {
  return root.querySelector(ALLOW) !== null;
}

/** Focus the Allow button of the permission request on screen; false when none is shown. */
export function focusShownPermission(root: ParentNode = document): boolean {
  const allow = root.querySelector<HTMLElement>(ALLOW);
  if (!allow) return false;
  allow.scrollIntoView({ block: 'nearest' });
  allow.focus();
  return true;
}

/**
 * The session to go to for Alt+P when the one on screen shows no request: the first one waiting
 * for the user in the listed workspace (in list order), else in any other workspace.
 */
export function nextWaitingSession(
  currentId: string | undefined,
  listed: readonly Session[],
  all: Iterable<Session>,
): Session | undefined {
  const isWaiting = (session: Session) => session.status === 'waiting_permission' && session.id !== currentId;
  return listed.find(isWaiting) ?? [...all].find(isWaiting);
}

/**
 * Focus the request once the session just opened shows it (its transcript arrives over the
 * socket). Gives up after `timeoutMs`, or as soon as the user has put the focus anywhere but the
 * page or an empty message box — their own move wins over the shortcut's.
 */
export function focusPermissionWhenShown(timeoutMs = 3000, root: Document = document): () => void {
  const deadline = performance.now() + timeoutMs;
  let frame = 0;
  const isFocusFree = () => {
    const active = root.activeElement;
    return (
      active === null ||
      active === root.body ||
      (active instanceof HTMLTextAreaElement && active.id === 'composer-input' && active.value === '')
    );
  };
  const attempt = () => {
    if (!isFocusFree() || performance.now() > deadline) return;
    if (focusShownPermission(root)) return;
    frame = requestAnimationFrame(attempt);
  };
  frame = requestAnimationFrame(attempt);
  return () => cancelAnimationFrame(frame);
}
