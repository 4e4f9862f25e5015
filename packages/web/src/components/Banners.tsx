import type { ConnectionState } from '../api/ws-client';

/** Says plainly when live updates are not arriving; silent while connected or first connecting. */
export function ConnectionBanner({ state, onRetryNow }: { state: ConnectionState; onRetryNow: () => void }) {
  if (state === 'connected' || state === 'connecting') return null;
  const text =
    state === 'offline'
      ? 'The ChatML backend is unreachable. Is `chatml` still running? Retrying…'
      : 'Connection to the ChatML backend lost. Reconnecting…';
  return (
    <div className={`banner banner-${state}`} role="alert" data-testid="connection-banner" data-state={state}>
      <span>{text}</span>
      <button type="button" className="button small" onClick={onRetryNow}>
        Retry now
      </button>
    </div>
  );
}

/** The backend runs the offline demo model: replies are scripted, not Claude. */
export function DemoModelNotice() {
  return (
    <div className="banner banner-demo" role="note" data-testid="demo-model-notice">
      <strong>Demo model</strong> — replies come from an offline stand-in, not Claude.
    </div>
  );
}

/**
 * Onboarding when the backend found no model credentials: agents would fail on their first turn,
 * so say so before that happens, point to what to set, and offer the demo model.
 */
export function CredentialsNotice({ onOpenSettings }: { onOpenSettings: () => void }) {
  return (
    <div className="banner banner-credentials" role="note" data-testid="credentials-notice">
      <span>
        <strong>No model credentials found.</strong> Agents cannot reach Claude until ChatML is started with{' '}
        <code>ANTHROPIC_API_KEY</code> set (or after a Claude Code login). To look around first, restart with
        the offline demo model: <code>chatml start --demo-model</code>.
      </span>
      <button type="button" className="button small" onClick={onOpenSettings}>
        How to set it up
      </button>
    </div>
  );
}
