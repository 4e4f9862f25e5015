import type { Session, Workspace } from '@chatml/protocol';
import { Link, navigate } from '../app/router';
import { workspacePath } from '../app/routes';
import { SessionList } from './SessionList';

export interface SidebarProps {
  workspaces: readonly Workspace[];
  workspace: Workspace | undefined;
  sessions: readonly Session[];
  selectedSessionId: string | undefined;
  onAddRepository: () => void;
}

/** Left pane: which repository, its sessions, and the ways to start something new. */
export function Sidebar({
  workspaces,
  workspace,
  sessions,
  selectedSessionId,
  onAddRepository,
}: SidebarProps) {
  return (
    <nav className="sidebar" aria-label="Workspaces and sessions">
      <div className="sidebar-header">
        <span className="app-name">ChatML</span>
      </div>
      {workspaces.length > 0 && (
        <div className="workspace-switcher">
          <label className="visually-hidden" htmlFor="workspace-select">
            Workspace
          </label>
          <select
            id="workspace-select"
            className="input"
            data-testid="workspace-select"
            value={workspace?.id ?? ''}
            onChange={(event) => navigate(workspacePath(event.target.value))}
          >
            {!workspace && <option value="">Choose a repository…</option>}
            {workspaces.map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {candidate.name}
                {candidate.status === 'ready' ? '' : ` (${candidate.status})`}
              </option>
            ))}
          </select>
        </div>
      )}
      <div className="sidebar-actions">
        {workspace?.status === 'ready' && (
          <Link href={workspacePath(workspace.id)} className="button primary" data-testid="new-session-link">
            New session
          </Link>
        )}
        <button
          type="button"
          className="button"
          data-testid="add-repository"
          aria-label="Add a repository"
          onClick={onAddRepository}
        >
          + Repository
        </button>
      </div>
      {workspace && <SessionList sessions={sessions} selectedId={selectedSessionId} />}
    </nav>
  );
}
