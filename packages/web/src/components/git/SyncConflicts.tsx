import type { Session, SyncResponse, SyncStrategy } from '@chatml/protocol';
import { useState } from 'react';
import { useServices } from '../../app/services';
import { GitError, type GitFailure, toGitFailure } from './git-errors';
import './git.css';
import { countOf } from '../format';

type Step = 'abort' | 'continue' | 'agent';

/**
 * A sync stopped on conflicts: which files, and the three ways on — abort (back to before the
 * sync), continue (once the files are resolved), or ask the agent to resolve them.
 */
export function SyncConflicts({
  session,
  sync,
  isRunning,
  onResult,
  onAskedAgent,
}: {
  session: Session;
  sync: { strategy: SyncStrategy; conflicts: readonly string[] };
  /** The agent is working (perhaps on these very files): continuing or aborting must wait. */
  isRunning: boolean;
  onResult: (result: SyncResponse, step: 'abort' | 'continue') => void;
  onAskedAgent: () => void;
}) {
  const { api } = useServices();
  const [working, setWorking] = useState<Step>();
  const [failure, setFailure] = useState<GitFailure>();
  const [note, setNote] = useState<string>();

  const run = async (step: Step) => {
    setWorking(step);
    setFailure(undefined);
    setNote(undefined);
    try {
      if (step === 'agent') {
        const { queued } = await api.resolveConflictsWithAgent(session.id);
        setNote(
          queued
            ? 'Asked the agent; the message waits for its turn.'
            : 'Asked the agent to resolve the conflicts.',
        );
        onAskedAgent();
      } else {
        const result =
          step === 'abort' ? await api.abortSync(session.id) : await api.continueSync(session.id);
        onResult(result, step);
      }
    } catch (caught) {
      setFailure(toGitFailure(caught));
    } finally {
      setWorking(undefined);
    }
  };

  const isDisabled = working !== undefined || isRunning;
  const files = countOf(sync.conflicts.length, 'file');
  return (
    <section className="git-conflicts" aria-label="Sync conflicts" data-testid="sync-conflicts">
      <p className="git-conflicts-title">
        <strong>
          The {sync.strategy} with {session.baseBranch} stopped on conflicts
        </strong>{' '}
        {sync.conflicts.length > 0 ? `in ${files}` : ''}. The worktree is half-synced until you continue or
        abort.
      </p>
      {sync.conflicts.length > 0 && (
        <ul className="git-path-list" aria-label="Conflicted files" data-testid="conflict-files">
          {sync.conflicts.map((path) => (
            <li key={path}>{path}</li>
          ))}
        </ul>
      )}
      <div className="git-conflicts-actions">
        <button
          type="button"
          className="button"
          disabled={isDisabled}
          onClick={() => void run('agent')}
          data-testid="conflicts-ask-agent"
        >
          {working === 'agent' ? 'Asking…' : 'Ask the agent to resolve'}
        </button>
        <button
          type="button"
          className="button primary"
          disabled={isDisabled}
          onClick={() => void run('continue')}
          data-testid="conflicts-continue"
          title="Once every conflicted file is resolved (no conflict markers left)"
        >
          {working === 'continue' ? 'Continuing…' : `Continue the ${sync.strategy}`}
        </button>
        <button
          type="button"
          className="button danger"
          disabled={isDisabled}
          onClick={() => void run('abort')}
          data-testid="conflicts-abort"
        >
          {working === 'abort' ? 'Aborting…' : `Abort the ${sync.strategy}`}
        </button>
        {isRunning && (
          <span className="muted">The agent is working; continue or abort once its turn ends.</span>
        )}
      </div>
      {note && (
        <p className="muted" role="status">
          {note}
        </p>
      )}
      <GitError failure={failure} conflictsLabel="Still conflicted" testId="conflicts-error" />
    </section>
  );
}
