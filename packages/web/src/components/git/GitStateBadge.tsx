import type { Session } from '@chatml/protocol';
import './git.css';

/** What is wrong with the session's git state, in a few words; undefined when nothing is. */
export function gitStateLabel(session: Session): string | undefined {
  const state = session.gitState;
  if (!state || session.status === 'archived') return undefined;
  if (state.sync) {
    return state.sync.conflicts.length > 0
      ? `${state.sync.strategy} conflicts`
      : `${state.sync.strategy} in progress`;
  }
  if (state.worktreeMissing) return 'worktree missing';
  if (state.branchMissing) return 'branch missing';
  return undefined;
}

/** A badge for the session list and header: mid-sync/conflicted, worktree or branch missing. */
export function GitStateBadge({ session }: { session: Session }) {
  const label = gitStateLabel(session);
  if (!label) return null;
  const conflicts = session.gitState?.sync?.conflicts ?? [];
  return (
    <span
      className={`git-badge ${session.gitState?.sync ? 'is-sync' : 'is-missing'}`}
      data-testid="git-state-badge"
      title={conflicts.length > 0 ? `Conflicted: ${conflicts.join(', ')}` : undefined}
    >
      {label}
    </span>
  );
}
