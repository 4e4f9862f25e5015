/** Shown when this tab has no valid token: the only way in is the link the `chatml` command opens. */
export function MissingToken({ isExpired }: { isExpired: boolean }) {
  return (
    <main className="missing-token">
      <h1>ChatML</h1>
      <p>
        {isExpired
          ? 'The backend no longer accepts this tab’s access token.'
          : 'This page needs the access link that ChatML opens for you.'}
      </p>
      <p>
        Run <code>chatml</code> in a terminal: it opens a window with a fresh link (or prints it with{' '}
        <code>--no-open</code>).
      </p>
    </main>
  );
}
