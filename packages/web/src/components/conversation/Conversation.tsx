import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Transcript } from '../../state/transcript-types';
import { ExpansionProvider } from './expansion';
import { type ConversationRow, TranscriptRow } from './TranscriptRow';

/** How close to the bottom (px) still counts as "at the latest", so auto-scroll keeps following. */
const FOLLOW_THRESHOLD_PX = 48;

export interface ConversationProps {
  transcript: Transcript;
  isLoading: boolean;
  /** Re-send the last message; offered on the latest retryable failure. */
  onRetry: (() => void) | undefined;
  /** Changes whenever the view should jump to the latest (e.g. the user sent a message). */
  followSignal?: number;
}

/**
 * The conversation as a virtualised list, so a transcript with thousands of items stays fast.
 * Anchored to the end like a chat: while the user is at the bottom, new and growing items keep it
 * there; once they scroll up it stays put and "Jump to latest" appears.
 */
export function Conversation({ transcript, isLoading, onRetry, followSignal = 0 }: ConversationProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [isAtEnd, setIsAtEnd] = useState(true);
  const rows = useMemo<ConversationRow[]>(
    () => [
      ...transcript.items,
      ...transcript.queued.map((message) => ({
        ...message,
        kind: 'queued' as const,
        key: `queued:${message.messageId}`,
      })),
    ],
    [transcript.items, transcript.queued],
  );

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 56,
    getItemKey: (index) => rows[index]?.key ?? index,
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
  const hasRows = rows.length > 0;
  // biome-ignore lint/correctness/useExhaustiveDependencies: followSignal is the trigger, not an input
  useEffect(() => {
    if (!isLoading && hasRows) virtualizer.scrollToEnd();
  }, [isLoading, hasRows, followSignal, virtualizer]);

  const isRunning = transcript.activeTurnId !== undefined;
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
          {isLoading && rows.length === 0 && <p className="empty-state">Loading the conversation…</p>}
          {!isLoading && rows.length === 0 && <p className="empty-state">No messages yet.</p>}
          <div ref={virtualizer.containerRef} className="conversation-rows">
            {virtualizer.getVirtualItems().map((virtualRow) => {
              const row = rows[virtualRow.index];
              if (!row) return null;
              return (
                <div
                  key={virtualRow.key as string}
                  data-index={virtualRow.index}
                  ref={virtualizer.measureElement}
                  className="conversation-row"
                >
                  <TranscriptRow row={row} onRetry={row.key === transcript.retryKey ? onRetry : undefined} />
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
}
