import type { DiffStats } from '@chatml/protocol';

/** "+12 −3": a session's change size; nothing while unmeasured or empty. */
export function DiffStatsBadge({ stats }: { stats: DiffStats | null }) {
  if (!stats || stats.files === 0) return null;
  const label = `${stats.files} ${stats.files === 1 ? 'file' : 'files'} changed, ${stats.additions} added and ${stats.deletions} deleted lines`;
  return (
    <span className="diff-stats" title={label} data-testid="diff-stats">
      <span className="visually-hidden">{label}</span>
      <span aria-hidden="true">
        <span className="additions">+{stats.additions}</span>{' '}
        <span className="deletions">−{stats.deletions}</span>
      </span>
    </span>
  );
}
