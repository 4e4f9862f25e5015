import { lazy, memo, Suspense } from 'react';
import type { ToolItem, ToolState } from '../../state/transcript-types';
import { formatDuration } from '../format';
import { useNow } from '../use-now';
import { AnsiText } from './AnsiText';
import { useExpanded } from './expansion';
import { describeTool } from './tool-summary';
import { useWorktreePath } from './worktree-context';

// The diff viewer is a lazy chunk: until it arrives the edit shows as plain -/+ text.
const EditDiff = lazy(() => import('./EditDiff').then((module) => ({ default: module.EditDiff })));

const stateLabels: Record<ToolState, string> = {
  preparing: 'preparing',
  running: 'running',
  ok: 'done',
  error: 'failed',
  cancelled: 'cancelled',
};

function StateIcon({ state }: { state: ToolState }) {
  if (state === 'preparing' || state === 'running') return <span className="spinner" aria-hidden="true" />;
  const glyph = state === 'ok' ? '✓' : state === 'error' ? '✗' : '■';
  return (
    <span className={`state-glyph state-${state}`} aria-hidden="true">
      {glyph}
    </span>
  );
}

/** How long the tool ran, not counting the time it waited for the user's permission. */
function Elapsed({ item }: { item: ToolItem }) {
  const isWaiting = item.waitingSince !== undefined;
  const isLive = item.endedAt === undefined && item.startedAt !== undefined && !isWaiting;
  const now = useNow(1000, isLive);
  if (item.startedAt === undefined) return null;
  if (isWaiting) return <span className="tool-duration">waiting for your approval</span>;
  const ranMs = (item.endedAt ?? now) - item.startedAt - item.waitedMs;
  return <span className="tool-duration">{formatDuration(Math.max(0, ranMs))}</span>;
}

/**
 * A tool call as a compact card: state, tool, one-line summary and duration; Bash shows its command;
 * the rest (file content, the edit, output) expands on demand.
 */
export const ToolCard = memo(function ToolCard({ item }: { item: ToolItem }) {
  const [isExpanded, toggle] = useExpanded(item.key);
  const view = describeTool(item.tool, item.input, useWorktreePath());
  const toolName = item.tool || 'Tool';
  const summary = item.state === 'preparing' && !view.summary ? 'preparing…' : view.summary;
  const hasMore = Boolean(view.detail) || item.output !== '';
  return (
    <article
      className={`tool-card tool-${view.layout}`}
      data-testid="tool-card"
      data-state={item.state}
      aria-label={`${toolName} ${stateLabels[item.state]}`}
    >
      <div className="tool-head">
        <StateIcon state={item.state} />
        <span className="tool-name">{toolName}</span>
        <span className="tool-summary" title={summary}>
          {summary}
        </span>
        <Elapsed item={item} />
        {hasMore && (
          <button type="button" className="link-button" aria-expanded={isExpanded} onClick={toggle}>
            {isExpanded ? 'Hide' : view.layout === 'bash' ? 'Output' : 'Details'}
          </button>
        )}
      </div>
      {view.command !== undefined && <pre className="tool-command">$ {view.command}</pre>}
      {isExpanded && view.detail && view.layout === 'edit' && (
        <Suspense fallback={<pre className="tool-detail">{view.detail}</pre>}>
          <EditDiff tool={item.tool} input={item.input} path={view.summary || undefined} />
        </Suspense>
      )}
      {isExpanded && view.detail && view.layout !== 'edit' && (
        <pre className="tool-detail">{view.detail}</pre>
      )}
      {isExpanded && item.output !== '' && view.layout === 'bash' && (
        <AnsiText
          text={item.output}
          className={item.state === 'error' ? 'tool-output is-error' : 'tool-output'}
        />
      )}
      {isExpanded && item.output !== '' && view.layout !== 'bash' && (
        <pre className={item.state === 'error' ? 'tool-output is-error' : 'tool-output'}>{item.output}</pre>
      )}
    </article>
  );
});
