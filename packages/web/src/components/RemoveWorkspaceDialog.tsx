import type { Session, Workspace } from '@chatml/protocol';
import { navigate } from '../app/router';
import { useServices } from '../app/services';
import { ConfirmDialog } from './ConfirmDialog';

/** What removing `workspace` will do, in words: which sessions are archived, and what is kept. */
export function removalMessage(workspace: Workspace, sessions: readonly Session[]): string {
  const active = sessions.filter((session) => session.status !== 'archived').length;
  const archived =
    active === 0
      ? 'It has no active sessions.'
      : `Its ${active === 1 ? 'active session is' : `${active} active sessions are`} archived first: agents stop, worktrees are removed, and uncommitted work is saved to an archive ref.`;
  return `${archived} ChatML then forgets ${workspace.name} and its conversations. The repository at ${workspace.path}, its branches (including the sessions' chatml/… branches) and the archive refs stay as they are.`;
}

/**
 * Asks before removing a workspace from ChatML (`DELETE /workspaces/:id`), then leaves its pages.
 * A failure (say, a session that cannot be archived) stays in the dialog.
 */
export function RemoveWorkspaceDialog({
  workspace,
  sessions,
  onClose,
}: {
  workspace: Workspace | undefined;
  sessions: readonly Session[];
  onClose: () => void;
}) {
  const { api, catalog } = useServices();
  // Mounted only while asking, so the page holds one confirmation dialog at a time.
  if (!workspace) return null;
  return (
    <ConfirmDialog
      isOpen
      title={`Remove ${workspace.name} from ChatML?`}
      message={removalMessage(workspace, sessions)}
      confirmLabel="Remove"
      onConfirm={async () => {
        await api.removeWorkspace(workspace.id);
        catalog.removeWorkspace(workspace.id);
        navigate('/');
      }}
      onClose={onClose}
    />
  );
}
