import type { TurnFooterItem } from '../../state/transcript-types';
import { formatCost, formatDuration, formatUsage } from '../format';

function hasTokens(usage: NonNullable<TurnFooterItem['usage']>): boolean {
  const { inputTokens, outputTokens, cacheReadInputTokens, cacheCreationInputTokens } = usage;
  return inputTokens + outputTokens + cacheReadInputTokens + cacheCreationInputTokens > 0;
}

const outcomeLabels = { completed: 'Completed', failed: 'Failed', interrupted: 'Interrupted' } as const;

/** The line under every turn: how it ended, how long it took, what it cost. */
export function TurnFooter({ item, onRetry }: { item: TurnFooterItem; onRetry: (() => void) | undefined }) {
  const facts = [
    item.durationMs !== undefined ? formatDuration(item.durationMs) : undefined,
    // A turn stopped before the model answered used nothing: "0 in · 0 out" would be noise.
    item.usage && hasTokens(item.usage) ? formatUsage(item.usage) : undefined,
    item.costUsd !== undefined ? formatCost(item.costUsd) : undefined,
  ].filter((fact) => fact !== undefined);
  return (
    <div className={`turn-footer outcome-${item.outcome}`} data-testid="turn-footer">
      <span className="turn-outcome">{outcomeLabels[item.outcome]}</span>
      {facts.map((fact) => (
        <span key={fact} className="turn-fact">
          {fact}
        </span>
      ))}
      {item.reason && <span className="turn-reason">{item.reason}</span>}
      {onRetry && (
        <button type="button" className="button small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
