import { memo, useEffect, useRef, useState } from 'react';
import { clip } from '../../state/clip-text';
import type { QueuedMessage } from '../../state/transcript-types';

/**
 * A message waiting for its turn, with Cancel while it waits. `onCancel` resolves to false when the
 * backend refused (the turn had just started): the conversation says why, since this row goes away
 * as soon as the turn's start arrives.
 */
export const QueuedMessageRow = memo(function QueuedMessageRow({
  message,
  onCancel,
}: {
  message: QueuedMessage;
  onCancel: ((message: QueuedMessage) => Promise<boolean>) | undefined;
}) {
  const [isCancelling, setIsCancelling] = useState(false);
  // The row goes once its message is dropped (or starts): the keyboard focus on its button moves on
  // to the next Cancel, else the message box, instead of falling to the page.
  const hasFocus = useRef(false);
  useEffect(
    () => () => {
      if (!hasFocus.current || (document.activeElement && document.activeElement !== document.body)) return;
      const next =
        document.querySelector<HTMLElement>('.queued-cancel:not([aria-disabled])') ??
        document.getElementById('composer-input');
      next?.focus();
    },
    [],
  );
  const cancel = async () => {
    if (!onCancel || isCancelling) return;
    setIsCancelling(true);
    // Once cancelled, the row stays as it is until the event that drops it arrives.
    if (!(await onCancel(message))) setIsCancelling(false);
  };
  return (
    <div className="message user-message is-queued" data-testid="queued-message">
      <span className="queued-label">Queued</span>
      {onCancel && (
        <button
          type="button"
          className="button small queued-cancel"
          aria-label={`Cancel queued message: ${clip(message.text, 40)}`}
          aria-disabled={isCancelling || undefined}
          onFocus={() => {
            hasFocus.current = true;
          }}
          // A blur with somewhere to go is the user moving on; one without is the button going away.
          onBlur={(event) => {
            if (event.relatedTarget) hasFocus.current = false;
          }}
          onClick={() => void cancel()}
        >
          {isCancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      )}
      {message.text}
    </div>
  );
});
