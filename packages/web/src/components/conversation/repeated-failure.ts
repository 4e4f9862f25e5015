import type { TranscriptItem } from '../../state/transcript-types';

/**
 * A failed turn's reason can reach the transcript twice: the runner's error (`error_reported`) and
 * the turn's footer ("Failed · <reason>", which offers Retry). The footer is the one to keep; an error
 * row just before it that says the same is left out. (The session's "hit an error" status notice
 * that repeats the footer is never added: see `status_changed` in state/transcript.ts.)
 */
export function repeatsFailure(items: readonly TranscriptItem[], index: number): boolean {
  const item = items[index];
  if (item?.kind !== 'error') return false;
  const footer = nearbyFooter(items, index);
  return footer !== undefined && sameText(footer.reason, item.message);
}

/** The failed turn's footer after `index`, within the same turn. */
function nearbyFooter(items: readonly TranscriptItem[], index: number) {
  // A few rows at most sit between them (another error, a notice); a user message starts a new turn.
  for (let at = index + 1, seen = 0; at < items.length && seen < 4; at++, seen++) {
    const other = items[at];
    if (!other || other.kind === 'user') return undefined;
    if (other.kind === 'turn_footer') return other.outcome === 'failed' ? other : undefined;
  }
  return undefined;
}

function sameText(a: string | undefined, b: string): boolean {
  return a !== undefined && a.trim() === b.trim();
}
