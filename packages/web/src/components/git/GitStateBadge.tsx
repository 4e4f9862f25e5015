import type { Session } from '@chatml/protocol';
import './git.css';

/**
 * The session's git state in a few words — mid-sync or conflicted, worktree or branch missing, and
 * with `withMerged` also "merged" (its commits are in the base already) — undefined when none.
 */
export function gitStateLabel(session: Session, { withMerged = false } = {}): string | undefined {
  if (session.status === 'archived') return undefined;
  const state = session.gitState;
  if (state?.sync) {
    return state.sync.conflicts.length > 0
      ? `${state.sync.strategy} conflicts`
      : `${state.sync.strategy} in progress`;
  }
  if (state?.worktreeMissing) return 'worktree missing';
  if (state?.branchMissing) return 'branch missing';
  if (withMerged && session.diffStats?.mergedIntoBase) return 'merged';
  return undefined;
}

/**
 * A badge for the session list and header: mid-sync/conflicted, worktree or branch missing. The list
 * also marks a merged session (`withMerged`); the open session's git bar says that itself.
 */
export function GitStateBadge({ session, withMerged = false }: { session: Session; withMerged?: boolean }) {
  const label = gitStateLabel(session, { withMerged });
  if (!label) return null;
  const conflicts = session.gitState?.sync?.conflicts ?? [];
  const kind = session.gitState?.sync ? 'is-sync' : label === 'merged' ? 'is-merged' : 'is-missing';
  return (
    <span
      className={`git-badge ${kind}`}
      data-testid="git-state-badge"
      title={
        conflicts.length > 0
          ? `Conflicted: ${conflicts.join(', ')}`
          : label === 'merged'
            ? `${session.baseBranch} has this branch’s commits already (merged).`
            : undefined
      }
    >
      {label}
    </span>
  );
}
