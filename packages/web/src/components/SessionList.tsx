import type { Session } from '@chatml/protocol';
import { Link } from '../app/router';
import { sessionPath } from '../app/routes';
import { formatRelativeTime } from './format';
import { StatusBadge, statusLabel } from './StatusBadge';
import { useNow } from './use-now';

/** The workspace's sessions: name, branch, status and last activity, newest first. */
export function SessionList({
  sessions,
  selectedId,
}: {
  sessions: readonly Session[];
  selectedId: string | undefined;
}) {
  const now = useNow(30_000);
  if (sessions.length === 0) return <p className="empty-state small">No sessions yet.</p>;
  return (
    <ul className="session-list" aria-label="Sessions">
      {sessions.map((session) => (
        <li key={session.id}>
          <Link
            href={sessionPath(session.workspaceId, session.id)}
            className={`session-item status-${session.status}`}
            data-testid="session-item"
            data-session-name={session.name}
            aria-current={session.id === selectedId ? 'page' : undefined}
            aria-label={`${session.name}, ${statusLabel(session.status)}`}
          >
            <span className="session-item-top">
              <span className="session-name">{session.name}</span>
              <StatusBadge status={session.status} />
            </span>
            <span className="session-item-bottom">
              <span className="session-branch">{session.branch}</span>
              <time dateTime={new Date(session.updatedAt).toISOString()}>
                {formatRelativeTime(session.updatedAt, now)}
              </time>
            </span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
