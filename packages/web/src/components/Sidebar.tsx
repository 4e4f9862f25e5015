import type { Session, Workspace } from '@chatml/protocol';
import { Link, navigate } from '../app/router';
import { SETTINGS_PATH, workspacePath } from '../app/routes';
import { useLocalValue, useServices, useUnread } from '../app/services';
import { SHORTCUTS } from '../app/shortcuts';
import { SessionList } from './SessionList';

export interface SidebarProps {
  workspaces: readonly Workspace[];
  workspace: Workspace | undefined;
  sessions: readonly Session[];
  selectedSessionId: string | undefined;
  onAddRepository: () => void;
  onOpenPalette: () => void;
  /** The app's name and search on top; a narrow window's drawer has them in the bar above it. */
  hasHeader?: boolean;
}

const keysOf = (id: string) => SHORTCUTS.find((shortcut) => shortcut.id === id)?.keys;

/** Opens the command palette; in the sidebar's header, and in the narrow window's top bar. */
export function PaletteButton({ onOpen, testId }: { onOpen: () => void; testId: string }) {
  return (
    <button
      type="button"
      className="button small"
      onClick={onOpen}
      aria-keyshortcuts="Control+K Meta+K"
      data-testid={testId}
    >
      Search <kbd>{keysOf('palette')}</kbd>
    </button>
  );
}

/** Left pane: which repository, its sessions, and the ways to start something new. */
export function Sidebar({
  workspaces,
  workspace,
  sessions,
  selectedSessionId,
  onAddRepository,
  onOpenPalette,
  hasHeader = true,
}: SidebarProps) {
  const { preferences } = useServices();
  const unread = useUnread();
  const isArchivedShown = useLocalValue(preferences.isArchivedShown);
  return (
    <nav className="sidebar" aria-label="Workspaces and sessions">
      {hasHeader && (
        <div className="sidebar-header">
          <span className="app-name">ChatML</span>
          <span className="spacer" />
          <PaletteButton onOpen={onOpenPalette} testId="open-palette" />
        </div>
      )}
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
          <Link
            href={workspacePath(workspace.id)}
            className="button primary"
            data-testid="new-session-link"
            aria-keyshortcuts="Alt+N"
            title={`New session (${keysOf('newSession')})`}
          >
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
      <div className="sidebar-sessions">
        {workspace && (
          <SessionList
            sessions={sessions}
            selectedId={selectedSessionId}
            unread={unread}
            isArchivedShown={isArchivedShown}
            onToggleArchived={() => preferences.isArchivedShown.set(!isArchivedShown)}
          />
        )}
      </div>
      <div className="sidebar-footer">
        <Link href={SETTINGS_PATH} className="link-button" data-testid="settings-link">
          Settings
        </Link>
      </div>
    </nav>
  );
}
