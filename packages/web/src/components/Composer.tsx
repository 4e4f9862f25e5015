import { type KeyboardEvent, useState } from 'react';

export interface ComposerProps {
  isRunning: boolean;
  isDisabled: boolean;
  /** Resolves when the backend accepted the message; rejects with a message for the user. */
  onSend: (text: string) => Promise<void>;
  onStop: () => Promise<void>;
}

/**
 * Enter sends, Shift+Enter adds a line, Esc stops the running turn. Sending while the agent works is
 * allowed: the backend queues the message and the conversation shows it as queued.
 */
export function Composer({ isRunning, isDisabled, onSend, onStop }: ComposerProps) {
  const [text, setText] = useState('');
  const [isSending, setIsSending] = useState(false);
  const [error, setError] = useState<string>();

  const send = async () => {
    const message = text.trim();
    if (message === '' || isSending || isDisabled) return;
    setIsSending(true);
    setError(undefined);
    try {
      await onSend(message);
      setText('');
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setIsSending(false);
    }
  };

  const stop = async () => {
    setError(undefined);
    try {
      await onStop();
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    }
  };

  const handleKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // An IME composition uses Enter to confirm a character, not to send.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    } else if (event.key === 'Escape' && isRunning) {
      event.preventDefault();
      void stop();
    }
  };

  return (
    <form
      className="composer"
      onSubmit={(event) => {
        event.preventDefault();
        void send();
      }}
    >
      <textarea
        className="input composer-input"
        data-testid="composer-input"
        aria-label="Message"
        placeholder={
          isDisabled
            ? 'This session is archived.'
            : isRunning
              ? 'Message (queued until the agent is done; Esc stops it)'
              : 'Message (Enter to send, Shift+Enter for a new line)'
        }
        rows={3}
        value={text}
        disabled={isDisabled}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={handleKeyDown}
      />
      <div className="composer-actions">
        {error && (
          <span className="form-error" role="alert">
            {error}
          </span>
        )}
        {isRunning && (
          <button
            type="button"
            className="button danger"
            data-testid="composer-stop"
            onClick={() => void stop()}
          >
            Stop
          </button>
        )}
        <button
          type="submit"
          className="button primary"
          data-testid="composer-send"
          disabled={isDisabled || isSending || text.trim() === ''}
        >
          Send
        </button>
      </div>
    </form>
  );
}
