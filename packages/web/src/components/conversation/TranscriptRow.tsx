import { memo } from 'react';
import type { PermissionItem, TranscriptItem } from '../../state/transcript-types';
import { useExpanded } from './expansion';
import { Markdown } from './Markdown';
import { ToolCard } from './ToolCard';
import { TurnFooter } from './TurnFooter';

function Thinking({ itemKey, text, isStreaming }: { itemKey: string; text: string; isStreaming: boolean }) {
  const [isExpanded, toggle] = useExpanded(itemKey);
  return (
    <div className="thinking">
      <button type="button" className="link-button" aria-expanded={isExpanded} onClick={toggle}>
        {isStreaming ? 'Thinking…' : 'Thought'} {isExpanded ? '▾' : '▸'}
      </button>
      {isExpanded && <div className="thinking-text">{text}</div>}
    </div>
  );
}

function permissionOutcome(item: PermissionItem): string {
  if (item.state === 'pending') return 'waiting for your answer';
  const verdict = item.state === 'allowed' ? 'allowed' : 'denied';
  const by = item.decidedBy === 'system' ? ' automatically' : '';
  return `${verdict}${by}${item.message ? ` — ${item.message}` : ''}`;
}

export const TranscriptRow = memo(function TranscriptRow({
  row,
  onRetry,
}: {
  row: TranscriptItem;
  /** Set only on the one failure that offers Retry. */
  onRetry: (() => void) | undefined;
}) {
  switch (row.kind) {
    case 'user':
      return (
        <div className="message user-message" data-testid="user-message">
          {row.text}
        </div>
      );
    case 'text':
      return (
        <div
          className="message assistant-message"
          data-testid="assistant-message"
          data-streaming={row.isStreaming}
        >
          <Markdown text={row.text} />
        </div>
      );
    case 'thinking':
      return <Thinking itemKey={row.key} text={row.text} isStreaming={row.isStreaming} />;
    case 'tool':
      return <ToolCard item={row} />;
    case 'permission':
      return (
        <div className="notice" data-testid="permission-record">
          Permission for <strong>{row.tool}</strong>: {permissionOutcome(row)}
        </div>
      );
    case 'turn_footer':
      return <TurnFooter item={row} onRetry={onRetry} />;
    case 'error':
      return (
        <div className="error-item" data-testid="error-item">
          <strong>Error</strong> {row.message}
          {onRetry && (
            <button type="button" className="button small" onClick={onRetry}>
              Retry
            </button>
          )}
        </div>
      );
    case 'notice':
      return <div className={row.tone === 'error' ? 'notice is-error' : 'notice'}>{row.text}</div>;
  }
});
