import { type ReactNode, type RefObject, useCallback, useEffect, useRef, useState } from 'react';
import { PaletteButton } from './Sidebar';

const DRAWER_ID = 'sidebar-drawer';

/** Where the focus goes when the drawer closes with it inside: back to the toggle, or on to the page. */
type FocusAfterClose = 'toggle' | 'content';

export interface SidebarDrawerState {
  /** Open, and the window is narrow (a wide window shows the sidebar as a pane instead). */
  isShown: boolean;
  toggleRef: RefObject<HTMLButtonElement | null>;
  drawerRef: RefObject<HTMLDivElement | null>;
  toggle: () => void;
  /** `content`: the user went somewhere from the drawer, so the focus follows them there. */
  close: (focusAfter?: FocusAfterClose) => void;
}

/** The field a page opened from the drawer starts in (the message box, the new-session prompt…). */
const CONTENT_FOCUS = '#composer-input:not([disabled]), #new-session-prompt, #repo-path';

/**
 * The sidebar of a narrow window: closed until asked for, closed again on Esc, on a click beside
 * it and whenever the main pane changes (`page`: a session picked, a shortcut, the palette). The
 * focus moves into it when it opens, and never stays behind in it once hidden: it goes back to the
 * toggle, or — after something was picked in it — to the field the new page starts in.
 */
export function useSidebarDrawer(isNarrow: boolean, page: string): SidebarDrawerState {
  const [isOpen, setIsOpen] = useState(false);
  const toggleRef = useRef<HTMLButtonElement>(null);
  const drawerRef = useRef<HTMLDivElement>(null);
  const focusAfterClose = useRef<FocusAfterClose>('toggle');
  const isShown = isNarrow && isOpen;

  const close = useCallback((focusAfter: FocusAfterClose = 'toggle') => {
    focusAfterClose.current = focusAfter;
    setIsOpen(false);
  }, []);

  // A window widened past the breakpoint shows the sidebar as a pane; narrowed again, it starts closed.
  useEffect(() => {
    if (!isNarrow) setIsOpen(false);
  }, [isNarrow]);

  // A new page closes it — except one the repository picker in it went to: the user is choosing a
  // repository (with arrow keys, one page per step) to pick one of its sessions next.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new page is the trigger
  useEffect(() => {
    const active = document.activeElement;
    if (active instanceof HTMLSelectElement && drawerRef.current?.contains(active)) return;
    close('content');
  }, [page]);

  useEffect(() => {
    if (!isShown) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      // A dialog above the drawer (the palette) closes on its own Esc.
      if (event.target instanceof Element && event.target.closest('dialog[open]')) return;
      event.preventDefault();
      close('toggle');
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [isShown, close]);

  const wasShown = useRef(false);
  useEffect(() => {
    const drawer = drawerRef.current;
    if (isShown && !wasShown.current && drawer) {
      const current = drawer.querySelector<HTMLElement>('[aria-current="page"]');
      (current ?? drawer.querySelector<HTMLElement>('select, a[href], button, input'))?.focus();
    } else if (!isShown && wasShown.current) {
      const active = document.activeElement;
      const isFocusLeftBehind =
        active === null || active === document.body || (drawer?.contains(active) ?? false);
      if (isFocusLeftBehind) {
        const content =
          focusAfterClose.current === 'content' ? document.querySelector<HTMLElement>(CONTENT_FOCUS) : null;
        (content ?? toggleRef.current)?.focus();
      }
    }
    wasShown.current = isShown;
  }, [isShown]);

  return {
    isShown,
    toggleRef,
    drawerRef,
    toggle: () => (isShown ? close('toggle') : setIsOpen(true)),
    close,
  };
}

/** A narrow window's top bar: the drawer's toggle (with how many sessions wait), and search. */
export function NarrowBar({
  drawer,
  waitingCount,
  onOpenPalette,
}: {
  drawer: SidebarDrawerState;
  /** Sessions in the list waiting for the user: the list is out of sight, so the bar says so. */
  waitingCount: number;
  onOpenPalette: () => void;
}) {
  return (
    <header className="narrow-bar" data-testid="narrow-bar">
      <button
        ref={drawer.toggleRef}
        type="button"
        className="button"
        aria-expanded={drawer.isShown}
        aria-controls={DRAWER_ID}
        onClick={drawer.toggle}
        data-testid="sidebar-toggle"
      >
        <span aria-hidden="true">☰</span> Sessions
        {waitingCount > 0 && (
          <span className="waiting-count" data-testid="sidebar-toggle-waiting">
            {waitingCount}
            <span className="visually-hidden"> waiting for you</span>
          </span>
        )}
      </button>
      <span className="app-name">ChatML</span>
      <span className="spacer" />
      <PaletteButton onOpen={onOpenPalette} testId="narrow-open-palette" />
    </header>
  );
}

/**
 * The sidebar over the page, from the left, with the page dimmed beside it (a click there closes
 * it). The caller makes the page inert meanwhile, so Tab stays in the bar and the drawer.
 */
export function SidebarDrawer({ drawer, children }: { drawer: SidebarDrawerState; children: ReactNode }) {
  return (
    <>
      {drawer.isShown && (
        // Pointer users' way out (hidden from assistive technology); keyboard users have Esc and the toggle.
        <div className="drawer-backdrop" aria-hidden="true" onClick={() => drawer.close('toggle')} />
      )}
      <div
        ref={drawer.drawerRef}
        id={DRAWER_ID}
        className="sidebar-drawer"
        hidden={!drawer.isShown}
        data-testid="sidebar-drawer"
      >
        {children}
      </div>
    </>
  );
}
