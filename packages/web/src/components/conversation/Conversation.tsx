import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useRef, useState } from 'react';
import { type TranscriptSource, useTranscriptValue } from '../../app/services';
import type { QueuedMessage } from '../../state/transcript-types';
import { ExpansionProvider } from './expansion';
import { type ConversationRow, TranscriptRow } from './TranscriptRow';

/** How close to the bottom (px) still counts as "at the latest", so auto-scroll keeps following. */
const FOLLOW_THRESHOLD_PX = 48;

export interface ConversationProps {
  source: TranscriptSource;
  /** Re-send the last message; offered on the latest retryable failure. */
  onRetry: (() => void) | undefined;
  /** Changes whenever the view should jump to the latest (e.g. the user sent a message). */
  followSignal?: number;
}

/**
 * The conversation as a virtualised list, so a transcript with thousands of items stays fast.
 * Anchored to the end like a chat: while the user is at the bottom, new and growing items keep it
 * there; once they scroll up it stays put and "Jump to latest" appears.
 *
 * The list re-renders only when rows come or go; each row follows its own item (`ItemRow`). A
 * streamed frame grows one item, so it re-renders that row alone — not the list and the
 * virtualiser's commit work, which read the scroller's size (a forced layout) in every frame.
 */
export const Conversation = memo(function Conversation({
  source,
  onRetry,
  followSignal = 0,
}: ConversationProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [isAtEnd, setIsAtEnd] = useState(true);
  const isLoading = useTranscriptValue(source, (snapshot) => !snapshot.isCaughtUp);
  const isRunning = useTranscriptValue(source, (snapshot) => snapshot.transcript.activeTurnId !== undefined);
  const retryKey = useTranscriptValue(source, (snapshot) => snapshot.transcript.retryKey);
  // Items are only ever appended or replaced in place, so their count says when rows come or go.
  const itemCount = useTranscriptValue(source, (snapshot) => snapshot.transcript.items.length);
  const queued = useQueued(source);
  const rowCount = itemCount + queued.length;
  const keyAt = (index: number): string => {
    if (index < itemCount) return source.getSnapshot().transcript.items[index]?.key ?? String(index);
    const message = queued[index - itemCount];
    return message ? queuedKey(message) : String(index);
  };

  const virtualizer = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 56,
    getItemKey: keyAt,
    overscan: 6,
    anchorTo: 'end',
    followOnAppend: true,
    scrollEndThreshold: FOLLOW_THRESHOLD_PX,
    // A streaming message grows in every frame. Its new height, the list's height and the rows'
    // offsets are written to the DOM by the virtualiser itself; React re-renders the list only when
    // the rows in view change. Otherwise each measurement re-rendered the list once more per frame,
    // and its scroll correction waited for that render (a forced layout in React's commit).
    directDomUpdates: true,
    directDomUpdatesMode: 'position',
    // From the virtualiser's own sizes rather than the element's scrollHeight, which would force a
    // layout in every notification.
    onChange: (instance) => {
      const distanceFromEnd =
        instance.getTotalSize() - (instance.scrollRect?.height ?? 0) - (instance.scrollOffset ?? 0);
      setIsAtEnd(distanceFromEnd <= FOLLOW_THRESHOLD_PX);
    },
  });

  // Open at the latest once the replay is in, and whenever the caller asks to follow again. Not on
  // every change: following new rows while at the end is the virtualizer's own job (`anchorTo`).
  const hasRows = rowCount > 0;
  // biome-ignore lint/correctness/useExhaustiveDependencies: followSignal is the trigger, not an input
  useEffect(() => {
    if (!isLoading && hasRows) virtualizer.scrollToEnd();
  }, [isLoading, hasRows, followSignal, virtualizer]);

  return (
    <ExpansionProvider>
      <div className="conversation">
        <div
          ref={scrollRef}
          className="conversation-scroll"
          data-testid="transcript"
          role="log"
          aria-label="Conversation"
          aria-busy={isLoading || isRunning}
          // The log is focusable so keyboard users can scroll it with the arrow keys.
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable
          tabIndex={0}
        >
          {isLoading && rowCount === 0 && <p className="empty-state">Loading the conversation…</p>}
          {!isLoading && rowCount === 0 && <p className="empty-state">No messages yet.</p>}
          <div ref={virtualizer.containerRef} className="conversation-rows">
            {virtualizer.getVirtualItems().map((virtualRow) => {
              const key = virtualRow.key as string;
              const message = queued[virtualRow.index - itemCount];
              return (
                <div
                  key={key}
                  data-index={virtualRow.index}
                  ref={virtualizer.measureElement}
                  className="conversation-row"
                >
                  {virtualRow.index < itemCount ? (
                    <ItemRow
                      source={source}
                      index={virtualRow.index}
                      onRetry={key === retryKey ? onRetry : undefined}
                    />
                  ) : (
                    message && <TranscriptRow row={queuedRow(message)} onRetry={undefined} />
                  )}
                </div>
              );
            })}
          </div>
        </div>
        {!isAtEnd && (
          <button type="button" className="jump-to-latest button" onClick={() => virtualizer.scrollToEnd()}>
            Jump to latest ↓
          </button>
        )}
      </div>
    </ExpansionProvider>
  );
});

/** One transcript item, re-rendered when that item changes (it is replaced, never mutated). */
const ItemRow = memo(function ItemRow({
  source,
  index,
  onRetry,
}: {
  source: TranscriptSource;
  index: number;
  onRetry: (() => void) | undefined;
}) {
  const item = useTranscriptValue(source, (snapshot) => snapshot.transcript.items[index]);
  return item ? <TranscriptRow row={item} onRetry={onRetry} /> : null;
});

function queuedKey(message: QueuedMessage): string {
  return `queued:${message.messageId}`;
}

function queuedRow(message: QueuedMessage): ConversationRow {
  return { ...message, kind: 'queued', key: queuedKey(message) };
}

/** The queued messages, as the same array while they stay the same (each frame copies the list). */
function useQueued(source: TranscriptSource): readonly QueuedMessage[] {
  const last = useRef<readonly QueuedMessage[]>([]);
  return useTranscriptValue(source, (snapshot) => {
    const queued = snapshot.transcript.queued;
    const previous = last.current;
    if (queued.length !== previous.length || queued.some((message, i) => message !== previous[i]))
      last.current = queued;
    return last.current;
  });
}
