import type { Session, Workspace } from '@chatml/protocol';
import { NewSessionForm } from './NewSessionForm';

/** A workspace without a session selected: clone progress, a failed clone, or the new-session form. */
export function WorkspaceHome({
  workspace,
  onCreated,
}: {
  workspace: Workspace;
  onCreated: (session: Session) => void;
}) {
  if (workspace.status === 'cloning') {
    return (
      <div className="centre-message" role="status" data-testid="clone-progress">
        <span className="spinner" aria-hidden="true" /> Cloning {workspace.remoteUrl ?? workspace.name}…{' '}
        <span className="muted">{workspace.statusDetail ?? ''}</span>
      </div>
    );
  }
  if (workspace.status === 'error') {
    return (
      <div className="centre-message form-error" role="alert">
        Cloning {workspace.remoteUrl ?? workspace.name} failed: {workspace.statusDetail ?? 'unknown error'}
      </div>
    );
  }
  return <NewSessionForm key={workspace.id} workspace={workspace} onCreated={onCreated} />;
}
