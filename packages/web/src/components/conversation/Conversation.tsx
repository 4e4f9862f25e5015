import { elementScroll, observeElementRect, useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { type TranscriptSource, useTranscriptValue } from '../../app/services';
import { clip } from '../../state/clip-text';
import type { QueuedMessage } from '../../state/transcript-types';
import { ExpansionProvider } from './expansion';
import { FOLLOW_THRESHOLD_PX, FollowLatest } from './follow-latest';
import { QueuedMessageRow } from './QueuedMessageRow';
import { repeatsFailure } from './repeated-failure';
import { TranscriptRow } from './TranscriptRow';

export interface ConversationProps {
  source: TranscriptSource;
  /** Re-send the last message; offered on the latest retryable failure. */
  onRetry: (() => void) | undefined;
  /** Changes whenever the view should jump to the latest (e.g. the user sent a message). */
  followSignal?: number;
  /**
   * Take back a queued message; rejects when the backend refuses (its turn has just started). Keep
   * it the same function across renders: the list re-renders when it changes.
   */
  onCancelQueued?: (message: QueuedMessage) => Promise<void>;
}

/**
 * The conversation as a virtualised list, so a transcript with thousands of items stays fast.
 * Anchored to the end like a chat: while following (`FollowLatest`), new and growing items keep it
 * at the bottom; once the user scrolls up it stays put and "Jump to latest" appears.
 *
 * The list re-renders only when rows come or go; each row follows its own item (`ItemRow`). A
 * streamed frame grows one item, so it re-renders that row alone — not the list and the
 * virtualiser's commit work, which read the scroller's size (a forced layout) in every frame.
 */
export const Conversation = memo(function Conversation({
  source,
  onRetry,
  followSignal = 0,
  onCancelQueued,
}: ConversationProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [isFollowing, setIsFollowing] = useState(true);
  const followRef = useRef<FollowLatest>(null);
  followRef.current ??= new FollowLatest(
    () => virtualizer,
    () => virtualizer.scrollToEnd(),
    setIsFollowing,
  );
  const followLatest = followRef.current;
  const isLoading = useTranscriptValue(source, (snapshot) => !snapshot.isCaughtUp);
  const isRunning = useTranscriptValue(source, (snapshot) => snapshot.transcript.activeTurnId !== undefined);
  const retryKey = useTranscriptValue(source, (snapshot) => snapshot.transcript.retryKey);
  // Items are only ever appended or replaced in place, so their count says when rows come or go.
  const itemCount = useTranscriptValue(source, (snapshot) => snapshot.transcript.items.length);
  const queued = useQueued(source);
  const [cancelFailure, setCancelFailure] = useState<string>();
  const cancelQueued = useMemo(
    () =>
      onCancelQueued &&
      (async (message: QueuedMessage) => {
        setCancelFailure(undefined);
        try {
          await onCancelQueued(message);
          return true;
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          setCancelFailure(`Could not cancel “${clip(message.text, 60)}”: ${reason}`);
          return false;
        }
      }),
    [onCancelQueued],
  );
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
    onChange: () => followLatest.onChange(),
    // The virtualiser reports a resized viewport only when that changes which rows are in view, so
    // a log a notice made a little shorter would keep its last row cut off.
    observeElementRect: (instance, onRect) =>
      observeElementRect(instance, (rect) => {
        onRect(rect);
        followLatest.onChange();
      }),
    // So that following can tell the list's own scrolling from the user's.
    scrollToFn: (offset, options, instance) => {
      followLatest.noteWrite(offset + (options.adjustments ?? 0));
      elementScroll(offset, options, instance);
    },
  });

  useEffect(() => {
    const log = scrollRef.current;
    return log ? followLatest.observe(log) : undefined;
  }, [followLatest]);

  // Open at the latest once the replay is in, and whenever the caller asks to follow again. Not on
  // every change: keeping up with new rows while following is the virtualizer's (`anchorTo`) and
  // `FollowLatest`'s job.
  const hasRows = rowCount > 0;
  // biome-ignore lint/correctness/useExhaustiveDependencies: followSignal is the trigger, not an input
  useEffect(() => {
    if (!isLoading && hasRows) followLatest.follow();
  }, [isLoading, hasRows, followSignal, followLatest]);

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
                    message && <QueuedMessageRow message={message} onCancel={cancelQueued} />
                  )}
                </div>
              );
            })}
          </div>
        </div>
        {!isFollowing && (
          <button type="button" className="jump-to-latest button" onClick={() => followLatest.follow()}>
            Jump to latest ↓
          </button>
        )}
      </div>
      {cancelFailure && (
        <p className="notice is-error cancel-failure" role="alert">
          {cancelFailure}{' '}
          <button type="button" className="link-button" onClick={() => setCancelFailure(undefined)}>
            Dismiss
          </button>
        </p>
      )}
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
  const isRepeat = useTranscriptValue(source, (snapshot) => repeatsFailure(snapshot.transcript.items, index));
  // A repeat of a failure the turn's footer already shows; one that offers Retry is never dropped.
  if (!item || (isRepeat && !onRetry)) return null;
  return <TranscriptRow row={item} onRetry={onRetry} />;
});

function queuedKey(message: QueuedMessage): string {
  return `queued:${message.messageId}`;
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
