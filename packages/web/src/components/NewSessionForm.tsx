import {
  type Branch,
  MAX_SESSION_NAME_LENGTH,
  PermissionMode,
  type Session,
  type Workspace,
} from '@chatml/protocol';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { ApiError } from '../api/api-error';
import { useServices } from '../app/services';
import { newSessionDraftKey } from '../state/drafts';
import { ModelOptions, PermissionModeOptions } from './session-options';
import { useEditableSettings } from './use-editable-settings';

/**
 * Start a session: a prompt (optional), a name, the branch to start from (suggested from the
 * repository's branches, any name accepted), the model and how much to ask. While the backend cuts
 * the branch and worktree the form says so; the session view then shows the agent starting.
 */
const FIELD_LABELS: Record<string, string> = { name: 'Name', baseBranch: 'Base branch', prompt: 'Task' };

/** An error as the form shows it: a refused field is named as the form labels it, not the API. */
function formError(caught: unknown): { text: string; field?: string } {
  const label = caught instanceof ApiError && caught.field ? FIELD_LABELS[caught.field.name] : undefined;
  if (caught instanceof ApiError && caught.field && label)
    return { text: `${label}: ${caught.field.message}`, field: caught.field.name };
  return { text: caught instanceof Error ? caught.message : String(caught) };
}

export function NewSessionForm({
  workspace,
  onCreated,
}: {
  workspace: Workspace;
  onCreated: (session: Session) => void;
}) {
  const { api, drafts } = useServices();
  // The prompt is kept per workspace like a session's message (see DraftStore); the other fields
  // are quick to pick again.
  const draftKey = newSessionDraftKey(workspace.id);
  const [prompt, setPrompt] = useState(() => drafts.text(draftKey));
  const promptRef = useRef<HTMLTextAreaElement>(null);
  const [name, setName] = useState('');
  const [baseBranch, setBaseBranch] = useState('');
  /** Empty until the user picks one: the default model from Settings is shown until then. */
  const [pickedModel, setPickedModel] = useState('');
  const defaultModel = useEditableSettings()?.defaultModel ?? null;
  const model = pickedModel || defaultModel || '';
  const [permissionMode, setPermissionMode] = useState<PermissionMode>('default');
  const [isCreating, setIsCreating] = useState(false);
  const [error, setError] = useState<{ text: string; field?: string }>();
  const errorId = useId();
  /** Marks the field the error is about (`aria-invalid`, described by the error). */
  const invalidIf = (field: string) =>
    error?.field === field ? { 'aria-invalid': true, 'aria-describedby': errorId } : {};
  const [branches, setBranches] = useState<readonly Branch[]>([]);
  const branchListId = useId();

  useEffect(() => drafts.setText(draftKey, prompt), [drafts, draftKey, prompt]);
  // The form is where "new session" lands: typing can start at once, continuing a restored prompt
  // (the caret goes after it). Not while the user steps through the repository picker with the
  // arrow keys, though: each step lands here anew, and taking the focus would end the picking.
  useEffect(() => {
    const input = promptRef.current;
    if (!input || document.activeElement instanceof HTMLSelectElement) return;
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  }, []);

  useEffect(() => {
    let isCurrent = true;
    // Without suggestions the field still takes any branch name, so a failure needs no message.
    api.listBranches(workspace.id).then(
      (list) => {
        if (isCurrent) setBranches(list.branches);
      },
      () => undefined,
    );
    return () => {
      isCurrent = false;
    };
  }, [api, workspace.id]);

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
        ...(model ? { model } : {}),
        permissionMode,
      });
      drafts.setText(draftKey, '');
      onCreated(session);
    } catch (caught) {
      setError(formError(caught));
      setIsCreating(false);
    }
  };

  return (
    <form
      className="new-session stacked-form"
      onSubmit={create}
      // Ctrl/Cmd+Enter creates the session from any field, not only the prompt.
      onKeyDown={(event) => {
        if (event.key !== 'Enter' || !(event.ctrlKey || event.metaKey) || event.nativeEvent.isComposing)
          return;
        event.preventDefault();
        void create();
      }}
      aria-label="New session"
    >
      <h1>New session in {workspace.name}</h1>
      <label htmlFor="new-session-prompt">What should the agent do?</label>
      <textarea
        ref={promptRef}
        id="new-session-prompt"
        className="input"
        data-testid="new-session-prompt"
        rows={5}
        placeholder="Describe the task (Ctrl+Enter to create)"
        value={prompt}
        onChange={(event) => setPrompt(event.target.value)}
      />
      <div className="field-row">
        <div className="field">
          <label htmlFor="new-session-name">Name (optional)</label>
          <input
            id="new-session-name"
            className="input"
            data-testid="new-session-name"
            placeholder="generated, e.g. brave-otter"
            maxLength={MAX_SESSION_NAME_LENGTH}
            {...invalidIf('name')}
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
            list={branchListId}
            autoComplete="off"
            placeholder={workspace.baseBranch}
            {...invalidIf('baseBranch')}
            value={baseBranch}
            onChange={(event) => setBaseBranch(event.target.value)}
          />
          <datalist id={branchListId} data-testid="new-session-branches">
            {branches.map((branch) => (
              <option key={branch.name} value={branch.name}>
                {branch.isRemote ? 'remote' : 'local'}
              </option>
            ))}
          </datalist>
        </div>
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor="new-session-model">Model</label>
          <select
            id="new-session-model"
            className="input"
            data-testid="new-session-model"
            value={model}
            onChange={(event) => setPickedModel(event.target.value)}
          >
            <ModelOptions current={defaultModel} defaultLabel="Default (ChatML settings)" />
          </select>
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
        <p className="form-error" role="alert" id={errorId}>
          {error.text}
        </p>
      )}
      <div className="form-actions">
        <button
          type="submit"
          className="button primary"
          data-testid="new-session-create"
          disabled={isCreating}
        >
          {isCreating ? 'Creating…' : 'Create session'}
        </button>
        {isCreating && (
          <span role="status" className="muted" data-testid="new-session-progress">
            <span className="spinner" aria-hidden="true" /> Creating branch{' '}
            <code>chatml/{name.trim() || '…'}</code> and its worktree from{' '}
            <code>{baseBranch.trim() || workspace.baseBranch}</code>…
          </span>
        )}
      </div>
    </form>
  );
}
