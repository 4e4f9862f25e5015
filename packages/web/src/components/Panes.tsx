import type { ReactNode } from 'react';
import { Separator, useDefaultLayout } from 'react-resizable-panels';
import { safeLocalStorage } from '../state/local-store';

/** Where pane sizes live: localStorage when available, else they last for this page. */
const layoutStorage = safeLocalStorage() ?? {
  getItem: () => null,
  setItem: () => undefined,
};

/**
 * A group's layout remembered across reloads (react-resizable-panels saves it after a drag or a
 * keyboard resize), separately for each set of panels shown (with and without the changes pane).
 */
export function usePersistedLayout(id: string, panelIds: string[]) {
  return useDefaultLayout({ id: `chatml.panes.${id}`, panelIds, storage: layoutStorage });
}

/**
 * A pane divider: a focusable `separator` the library drives with the mouse and the keyboard
 * (arrow keys resize, Home/End go to the limits, Enter collapses where allowed).
 */
export function PaneDivider({ label, children }: { label: string; children?: ReactNode }) {
  return (
    <Separator className="pane-divider" aria-label={label} data-testid="pane-divider">
      {children}
    </Separator>
  );
}
