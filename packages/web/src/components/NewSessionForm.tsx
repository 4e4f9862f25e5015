import { PermissionMode, type Session, type Workspace } from '@chatml/protocol';
import { type FormEvent, useState } from 'react';
import { useServices } from '../app/services';

const permissionModeLabels: Record<PermissionMode, string> = {
  default: 'Ask before risky tools (default)',
  acceptEdits: 'Accept edits automatically',
  plan: 'Plan only',
  bypassPermissions: 'Never ask (bypass permissions)',
};

export function PermissionModeOptions() {
  return PermissionMode.options.map((mode) => (
    <option key={mode} value={mode}>
      {permissionModeLabels[mode]}
    </option>
  ));
}

/** Start a session: a prompt (optional), a name, the branch to start from and how much to ask. */
export function NewSessionForm({
  workspace,
  onCreated,
}: {
  workspace: Workspace;
  onCreated: (session: Session) => void;
}) {
  const { api } = useServices();
  const [prompt, setPrompt] = useState('');
  const [name, setName] = useState('');
  const [baseBranch, setBaseBranch] = useState('');
  const [permissionMode, setPermissionMode] = useState<PermissionMode>('default');
  const [isCreating, setIsCreating] = useState(false);
  const [error, setError] = useState<string>();

  const create = async (event?: FormEvent) => {
    event?.preventDefault();
    if (isCreating) return;
    setIsCreating(true);
    setError(undefined);
    try {
      const session = await api.createSession(workspace.id, {
        ...(prompt.trim() ? { prompt: prompt.trim() } : {}),
        ...(name.trim() ? { name: name.trim() } : {}),
        ...(baseBranch.trim() ? { baseBranch: baseBranch.trim() } : {}),
        permissionMode,
      });
      onCreated(session);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
      setIsCreating(false);
    }
  };

  return (
    <form className="new-session stacked-form" onSubmit={create} aria-label="New session">
      <h1>New session in {workspace.name}</h1>
      <label htmlFor="new-session-prompt">What should the agent do?</label>
      <textarea
        id="new-session-prompt"
        className="input"
        data-testid="new-session-prompt"
        rows={5}
        placeholder="Describe the task (Ctrl+Enter to create)"
        value={prompt}
        onChange={(event) => setPrompt(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) void create();
        }}
      />
      <div className="field-row">
        <div className="field">
          <label htmlFor="new-session-name">Name (optional)</label>
          <input
            id="new-session-name"
            className="input"
            data-testid="new-session-name"
            placeholder="generated, e.g. brave-otter"
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="new-session-base">Base branch</label>
          <input
            id="new-session-base"
            className="input"
            data-testid="new-session-base-branch"
            placeholder={workspace.baseBranch}
            value={baseBranch}
            onChange={(event) => setBaseBranch(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="new-session-mode">Permissions</label>
          <select
            id="new-session-mode"
            className="input"
            data-testid="new-session-permission-mode"
            value={permissionMode}
            onChange={(event) => setPermissionMode(PermissionMode.parse(event.target.value))}
          >
            <PermissionModeOptions />
          </select>
        </div>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div>
        <button
          type="submit"
          className="button primary"
          data-testid="new-session-create"
          disabled={isCreating}
        >
          {isCreating ? 'Creating…' : 'Create session'}
        </button>
      </div>
    </form>
  );
}
