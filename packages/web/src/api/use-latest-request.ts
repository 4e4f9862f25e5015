import { useCallback, useEffect, useRef } from 'react';

/**
 * For a view that loads something again and again (a reload per change) and only wants the latest
 * answer: `start()` cancels the request before it and returns the new one's signal; the last one
 * is cancelled when the view goes. A cancelled fetch closes its connection, so the backend stops
 * working for a view nobody looks at — switching through sessions quickly leaves no backlog of
 * requests queued behind the browser's six connections. Check `signal.aborted` after each await:
 * an answer to a superseded request must not be shown.
 */
export function useLatestRequest(): () => AbortSignal {
  const current = useRef<AbortController | null>(null);
  useEffect(
    () => () => {
      current.current?.abort();
      current.current = null;
    },
    [],
  );
  return useCallback(() => {
    current.current?.abort();
    current.current = new AbortController();
    return current.current.signal;
  }, []);
}
