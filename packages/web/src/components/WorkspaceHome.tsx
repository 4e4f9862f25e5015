import type { Session, Workspace } from '@chatml/protocol';
import type { ReactNode } from 'react';
import { NewSessionForm } from './NewSessionForm';

/**
 * A workspace without a session selected: clone progress, a failed clone, or the new-session form;
 * below it, the way to remove the workspace from ChatML (which asks first).
 */
export function WorkspaceHome({
  workspace,
  onCreated,
  onRemove,
}: {
  workspace: Workspace;
  onCreated: (session: Session) => void;
  onRemove: () => void;
}) {
  let body: ReactNode;
  if (workspace.status === 'cloning') {
    body = (
      <div className="centre-message" role="status" data-testid="clone-progress">
        <span className="spinner" aria-hidden="true" /> Cloning {workspace.remoteUrl ?? workspace.name}…{' '}
        <span className="muted">{workspace.statusDetail ?? ''}</span>
      </div>
    );
  } else if (workspace.folderMissing) {
    body = (
      <div className="centre-message form-error" role="alert" data-testid="workspace-folder-missing">
        The repository folder {workspace.path} is missing (moved or deleted?). Put it back to go on, or remove{' '}
        {workspace.name} from ChatML: its sessions are archived without touching their worktree folders.
      </div>
    );
  } else if (workspace.status === 'error') {
    body = (
      <div className="centre-message form-error" role="alert">
        Cloning {workspace.remoteUrl ?? workspace.name} failed: {workspace.statusDetail ?? 'unknown error'}
      </div>
    );
  } else {
    body = <NewSessionForm key={workspace.id} workspace={workspace} onCreated={onCreated} />;
  }
  return (
    <div className="workspace-home">
      {body}
      <div className="workspace-home-footer">
        <button type="button" className="link-button muted" onClick={onRemove} data-testid="remove-workspace">
          {workspace.status === 'cloning'
            ? 'Cancel the clone and remove…'
            : `Remove ${workspace.name} from ChatML…`}
        </button>
      </div>
    </div>
  );
}
