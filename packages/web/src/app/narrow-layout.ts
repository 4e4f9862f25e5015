import { useCallback, useMemo, useSyncExternalStore } from 'react';

/**
 * Windows this narrow (or narrower) get the one-column layout: the sidebar becomes a drawer, and
 * the changes pane takes the conversation's place instead of squeezing in beside it. At this width
 * three columns leave the conversation under 400 px. Defined here only: the layout is chosen in
 * React (`is-narrow` on the shell), so the stylesheet never repeats the breakpoint.
 */
export const NARROW_LAYOUT_QUERY = '(max-width: 900px)';

/** Whether a media query matches now, re-rendering when that changes (a window resized, zoomed). */
export function useMediaQuery(query: string): boolean {
  const list = useMemo(() => window.matchMedia(query), [query]);
  const subscribe = useCallback(
    (onChange: () => void) => {
      list.addEventListener('change', onChange);
      return () => list.removeEventListener('change', onChange);
    },
    [list],
  );
  return useSyncExternalStore(subscribe, () => list.matches);
}

export function useIsNarrowLayout(): boolean {
  return useMediaQuery(NARROW_LAYOUT_QUERY);
}
