import type { SessionStatus } from '@chatml/protocol';

const labels: Record<SessionStatus, string> = {
  creating: 'creating',
  idle: 'idle',
  running: 'running',
  waiting_permission: 'waiting for you',
  error: 'error',
  archived: 'archived',
};

export function statusLabel(status: SessionStatus): string {
  return labels[status];
}

export function StatusBadge({ status }: { status: SessionStatus }) {
  return (
    <span className={`status-badge status-${status}`} data-status={status}>
      {labels[status]}
    </span>
  );
}
