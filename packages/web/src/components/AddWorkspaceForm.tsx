import type { Workspace } from '@chatml/protocol';
import { type FormEvent, useState } from 'react';
import { useServices } from '../app/services';

/**
 * Onboarding and "add repository": register a local checkout by path, or clone one by URL. The
 * backend's own message is shown as is — it already says what to do ("… is not a git repository").
 */
export function AddWorkspaceForm({
  onAdded,
  onCancel,
}: {
  onAdded: (workspace: Workspace) => void;
  onCancel?: () => void;
}) {
  const { api } = useServices();
  const [path, setPath] = useState('');
  const [cloneUrl, setCloneUrl] = useState('');
  const [busy, setBusy] = useState<'path' | 'clone'>();
  const [error, setError] = useState<{ form: 'path' | 'clone'; message: string }>();

  const submit = (form: 'path' | 'clone') => async (event: FormEvent) => {
    event.preventDefault();
    const value = (form === 'path' ? path : cloneUrl).trim();
    if (busy) return;
    if (value === '') {
      const message =
        form === 'path' ? 'Type the full path of a folder with a git repository.' : 'Type a URL to clone.';
      setError({ form, message });
      return;
    }
    setBusy(form);
    setError(undefined);
    try {
      onAdded(await api.addWorkspace(form === 'path' ? { path: value } : { cloneUrl: value }));
    } catch (caught) {
      setError({ form, message: caught instanceof Error ? caught.message : String(caught) });
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <div className="add-workspace">
      <h1>Add a repository</h1>
      <p className="muted">
        Each session works in its own git worktree and branch; your checkout is never switched or touched.
      </p>
      <form className="stacked-form" onSubmit={submit('path')} aria-label="Add a local repository">
        <label htmlFor="repo-path">Path to a local git repository</label>
        <div className="inline-fields">
          <input
            id="repo-path"
            className="input"
            data-testid="add-repo-path"
            placeholder="/home/you/projects/app"
            {...(error?.form === 'path'
              ? { 'aria-invalid': true, 'aria-describedby': 'repo-path-error' }
              : {})}
            value={path}
            onChange={(event) => setPath(event.target.value)}
          />
          <button
            type="submit"
            className="button primary"
            data-testid="add-repo-submit"
            disabled={busy !== undefined}
          >
            {busy === 'path' ? 'Adding…' : 'Add repository'}
          </button>
        </div>
        {error?.form === 'path' && (
          <p className="form-error" role="alert" id="repo-path-error" data-testid="add-repo-error">
            {error.message}
          </p>
        )}
      </form>
      <form className="stacked-form" onSubmit={submit('clone')} aria-label="Clone a repository">
        <label htmlFor="clone-url">Or clone from a URL</label>
        <div className="inline-fields">
          <input
            id="clone-url"
            className="input"
            data-testid="clone-url"
            placeholder="https://github.com/owner/repo.git"
            {...(error?.form === 'clone'
              ? { 'aria-invalid': true, 'aria-describedby': 'clone-url-error' }
              : {})}
            value={cloneUrl}
            onChange={(event) => setCloneUrl(event.target.value)}
          />
          <button type="submit" className="button" data-testid="clone-submit" disabled={busy !== undefined}>
            {busy === 'clone' ? 'Starting…' : 'Clone'}
          </button>
        </div>
        {error?.form === 'clone' && (
          <p className="form-error" role="alert" id="clone-url-error">
            {error.message}
          </p>
        )}
      </form>
      {onCancel && (
        <button type="button" className="link-button" onClick={onCancel}>
          Cancel
        </button>
      )}
    </div>
  );
}
