import type { DiffStats } from '@chatml/protocol';

/**
 * "+12 −3": a session's change size; nothing while unmeasured or empty. `isLastKnown` for an
 * archived session: its worktree is gone, so the counts are what it had then, not what it has now
 * (a merged branch's changes are in the base by now). Shown quieter, and the tooltip says so.
 */
export function DiffStatsBadge({
  stats,
  isLastKnown = false,
}: {
  stats: DiffStats | null;
  isLastKnown?: boolean;
}) {
  if (!stats || stats.files === 0) return null;
  const counts = `${stats.files} ${stats.files === 1 ? 'file' : 'files'} changed, ${stats.additions} added and ${stats.deletions} deleted lines`;
  const label = isLastKnown ? `When archived: ${counts}` : counts;
  return (
    <span
      className={isLastKnown ? 'diff-stats is-last-known' : 'diff-stats'}
      title={label}
      data-testid="diff-stats"
    >
      <span className="visually-hidden">{label}</span>
      <span aria-hidden="true">
        <span className="additions">+{stats.additions}</span>{' '}
        <span className="deletions">−{stats.deletions}</span>
      </span>
    </span>
  );
}
