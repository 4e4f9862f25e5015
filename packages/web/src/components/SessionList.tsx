import type { Session } from '@chatml/protocol';
import { Link } from '../app/router';
import { sessionPath } from '../app/routes';
import type { UnreadTracker } from '../state/unread';
import { DiffStatsBadge } from './DiffStatsBadge';
import { formatRelativeTime } from './format';
import { GitStateBadge, gitStateLabel } from './git/GitStateBadge';
import { StatusBadge, statusLabel } from './StatusBadge';
import { useNow } from './use-now';

/**
 * The workspace's sessions, newest first: name, status, unread marker, branch, +/- lines and last
 * activity. Archived sessions are folded away behind a toggle.
 */
export function SessionList({
  sessions,
  selectedId,
  unread,
  isArchivedShown,
  onToggleArchived,
}: {
  sessions: readonly Session[];
  selectedId: string | undefined;
  unread: Pick<UnreadTracker, 'isUnread'>;
  isArchivedShown: boolean;
  onToggleArchived: () => void;
}) {
  const now = useNow(30_000);
  const archivedCount = sessions.filter((session) => session.status === 'archived').length;
  const shown = sessions.filter(
    (session) => isArchivedShown || session.status !== 'archived' || session.id === selectedId,
  );
  return (
    <>
      {shown.length === 0 ? (
        <p className="empty-state small">No sessions yet.</p>
      ) : (
        <ul className="session-list" aria-label="Sessions">
          {shown.map((session) => {
            const isUnread = session.id !== selectedId && unread.isUnread(session);
            const description = [
              statusLabel(session.status),
              gitStateLabel(session, { withMerged: true }),
              isUnread ? 'unread' : undefined,
            ]
              .filter(Boolean)
              .join(', ');
            return (
              <li key={session.id}>
                <Link
                  href={sessionPath(session.workspaceId, session.id)}
                  className={`session-item status-${session.status}${isUnread ? ' is-unread' : ''}`}
                  data-testid="session-item"
                  data-session-name={session.name}
                  data-unread={isUnread}
                  aria-current={session.id === selectedId ? 'page' : undefined}
                  aria-label={`${session.name}, ${description}`}
                >
                  <span className="session-item-top">
                    {isUnread && (
                      <span className="unread-dot" aria-hidden="true" data-testid="unread-marker" />
                    )}
                    <span className="session-name">{session.name}</span>
                    <StatusBadge status={session.status} />
                    <GitStateBadge session={session} withMerged />
                  </span>
                  <span className="session-item-bottom">
                    <span className="session-branch">{session.branch}</span>
                    <DiffStatsBadge stats={session.diffStats} isLastKnown={session.status === 'archived'} />
                    <time dateTime={new Date(session.updatedAt).toISOString()}>
                      {formatRelativeTime(session.updatedAt, now)}
                    </time>
                  </span>
                </Link>
              </li>
            );
          })}
        </ul>
      )}
      {archivedCount > 0 && (
        <button
          type="button"
          className="link-button archived-toggle"
          aria-pressed={isArchivedShown}
          data-testid="archived-toggle"
          onClick={onToggleArchived}
        >
          {isArchivedShown ? 'Hide archived' : `Show archived (${archivedCount})`}
        </button>
      )}
    </>
  );
}
