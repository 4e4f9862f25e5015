import { useEffect } from 'react';
import { reloadWithStoredToken, watchTokenLinks } from '../api/token';

/**
 * Shown when this tab has no valid token: the only way in is the link the `chatml` command opens.
 * That link pasted into this very tab changes only the fragment, so it is watched for: its token is
 * stored, the address bar cleared at once, and `onNewToken` starts over with it (a reload, by
 * default; `null` when a parent watches already).
 */
export function MissingToken({
  isExpired,
  onNewToken = reloadWithStoredToken,
}: {
  isExpired: boolean;
  onNewToken?: ((token: string) => void) | null;
}) {
  useEffect(() => (onNewToken ? watchTokenLinks(onNewToken) : undefined), [onNewToken]);
  return (
    <main className="missing-token">
      <h1>ChatML</h1>
      <p>
        {isExpired
          ? 'The backend does not accept this tab’s access token: it is from an earlier launch of ChatML, or was mistyped.'
          : 'This page needs the access link that ChatML opens for you.'}
      </p>
      <p>
        Run <code>chatml</code> in a terminal: it opens a window with a fresh link (or prints it with{' '}
        <code>--no-open</code>), which also works pasted into this tab.
      </p>
    </main>
  );
}
