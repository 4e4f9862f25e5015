import { MAX_MESSAGE_LENGTH } from '@chatml/protocol';
import { type KeyboardEvent, useEffect, useId, useMemo, useRef, useState } from 'react';
import { DraftStore, joinDraftParts } from '../state/drafts';
import { createFileSearch, insertMention, mentionAt } from '../state/file-search';
import { FilePicker } from './FilePicker';

const PICKER_LIMIT = 50;

export interface ComposerProps {
  isRunning: boolean;
  isDisabled: boolean;
  /** Resolves when the backend accepted the message; rejects with a message for the user. */
  onSend: (text: string) => Promise<void>;
  onStop: () => Promise<void>;
  /** The worktree's files for the `@` picker; asked whenever a mention starts. */
  loadFiles?: () => Promise<string[]>;
  /**
   * Where the message being typed is kept while the box is gone (another session shown, a reload);
   * read when the box opens (key the component to change it). Without it, it lasts while mounted.
   */
  draft?: { store: DraftStore; key: string };
}

type FileState =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'ready'; search: (query: string, limit: number) => string[] }
  | { state: 'failed'; message: string };

/**
 * Enter sends, Shift+Enter adds a line, Esc stops the running turn. Sending while the agent works is
 * allowed: the backend queues the message and the conversation shows it as queued. `@` opens a
 * fuzzy picker over the worktree's files (arrows choose, Enter or Tab insert, Esc closes).
 */
export function Composer({ isRunning, isDisabled, onSend, onStop, loadFiles, draft }: ComposerProps) {
  const [{ store, key }] = useState(() => draft ?? { store: new DraftStore(null), key: 'composer' });
  const [text, setText] = useState(() => store.text(key));
  const [isSending, setIsSending] = useState(false);
  const [error, setError] = useState<string>();
  const [mention, setMention] = useState<{ start: number; query: string; caret: number }>();
  const [activeIndex, setActiveIndex] = useState(0);
  const [files, setFiles] = useState<FileState>({ state: 'idle' });
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const pickerId = useId();

  // A session opened from the keyboard (a new one, Alt+↑/↓, the palette) leaves the focus on the
  // page itself, as what had it is gone: the message box takes it. Focus anywhere else stays.
  // A restored draft is continued, not started over: the caret goes after it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: on mount only
  useEffect(() => {
    const input = inputRef.current;
    if (!input) return;
    input.setSelectionRange(input.value.length, input.value.length);
    input.scrollTop = input.scrollHeight;
    if (!isDisabled && (document.activeElement === null || document.activeElement === document.body))
      input.focus();
  }, []);

  // Unchanged text (the box just opened) writes nothing: see DraftStore on two tabs.
  useEffect(() => store.setText(key, text), [store, key, text]);
  // Leaving the session (another one shown, the page changed) stores its draft now, not a moment
  // later: the delayed write could be cut short by a reload right after.
  useEffect(() => () => store.flush(), [store]);

  const matches = useMemo(
    () => (mention && files.state === 'ready' ? files.search(mention.query, PICKER_LIMIT) : []),
    [mention, files],
  );
  const isPickerOpen = mention !== undefined && loadFiles !== undefined;
  const pickerStatus =
    files.state === 'loading' || files.state === 'idle'
      ? 'Loading files…'
      : files.state === 'failed'
        ? files.message
        : matches.length === 0
          ? 'No file matches.'
          : undefined;

  // Listed afresh each time a mention starts (the agent adds files); the last list shows meanwhile.
  const refreshFiles = () => {
    if (!loadFiles || files.state === 'loading') return;
    if (files.state !== 'ready') setFiles({ state: 'loading' });
    loadFiles().then(
      (list) => setFiles({ state: 'ready', search: createFileSearch(list) }),
      (caught: unknown) =>
        setFiles({
          state: 'failed',
          message: `Could not list files: ${caught instanceof Error ? caught.message : String(caught)}`,
        }),
    );
  };

  const updateText = (value: string, caret: number) => {
    setText(value);
    const found = loadFiles ? mentionAt(value, caret) : undefined;
    setMention(found && { ...found, caret });
    setActiveIndex(0);
    if (found && !mention) refreshFiles();
  };

  const pick = (path: string) => {
    if (!mention) return;
    const result = insertMention(text, mention, mention.caret, path);
    setText(result.text);
    setMention(undefined);
    requestAnimationFrame(() => {
      inputRef.current?.focus();
      inputRef.current?.setSelectionRange(result.caret, result.caret);
    });
  };

  // Messages the user sent that the backend has not accepted yet, oldest first. The box empties at
  // once, so typing the next message while one is on its way loses nothing; they go one at a time,
  // in order, and any the backend refused go back into the box (before what was typed since). Until
  // accepted they stay in the stored draft; refused after the user moved on, they go back into the
  // draft, and into the box if this session is shown again meanwhile.
  useEffect(
    () =>
      store.listen(key, (unsent, reason) => {
        setText((typed) => joinDraftParts([...unsent, typed]));
        setError(reason);
      }),
    [store, key],
  );
  const outbox = useRef<string[]>([]);
  const isDraining = useRef(false);
  const drain = async () => {
    if (isDraining.current) return;
    isDraining.current = true;
    setIsSending(true);
    try {
      while (outbox.current.length > 0) {
        try {
          const message = outbox.current[0] ?? '';
          await onSend(message);
          outbox.current.shift();
          store.release(key, message);
        } catch (caught) {
          store.giveBack(
            key,
            outbox.current.splice(0),
            caught instanceof Error ? caught.message : String(caught),
          );
        }
      }
    } finally {
      isDraining.current = false;
      setIsSending(false);
    }
  };

  const send = () => {
    const message = text.trim();
    if (message === '' || isDisabled) return;
    if (message.length > MAX_MESSAGE_LENGTH) {
      // Said before sending, in words, rather than as the backend's schema error afterwards.
      setError(
        `This message has ${message.length.toLocaleString('en')} characters; one message can have ${MAX_MESSAGE_LENGTH.toLocaleString('en')}. Shorten it, or put the text in a file in the worktree and mention it with @.`,
      );
      return;
    }
    outbox.current.push(message);
    store.setText(key, '');
    store.hold(key, message);
    setText('');
    setMention(undefined);
    setError(undefined);
    void drain();
  };

  const stop = async () => {
    setError(undefined);
    // The Stop button goes once the turn ends: keep keyboard focus in the composer, not the page body.
    inputRef.current?.focus();
    try {
      await onStop();
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    }
  };

  const handlePickerKey = (event: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!isPickerOpen) return false;
    if (event.key === 'Escape') {
      setMention(undefined);
      return true;
    }
    if (matches.length === 0) return false;
    if (event.key === 'ArrowDown') setActiveIndex((index) => (index + 1) % matches.length);
    else if (event.key === 'ArrowUp')
      setActiveIndex((index) => (index - 1 + matches.length) % matches.length);
    else if (event.key === 'Enter' || event.key === 'Tab') {
      const path = matches[activeIndex];
      if (path) pick(path);
    } else return false;
    return true;
  };

  const handleKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.nativeEvent.isComposing) return;
    if (handlePickerKey(event)) {
      event.preventDefault();
      return;
    }
    // An IME composition uses Enter to confirm a character, not to send.
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      send();
    } else if (event.key === 'Escape' && isRunning) {
      event.preventDefault();
      void stop();
    }
  };

  const activeOption = isPickerOpen && !pickerStatus ? `${pickerId}-${activeIndex}` : undefined;
  return (
    <form
      className="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      {isPickerOpen && (
        <FilePicker
          id={pickerId}
          files={matches}
          activeIndex={activeIndex}
          status={pickerStatus}
          onPick={pick}
        />
      )}
      <textarea
        ref={inputRef}
        id="composer-input"
        className="input composer-input"
        data-testid="composer-input"
        aria-label="Message"
        aria-autocomplete={loadFiles ? 'list' : undefined}
        aria-controls={isPickerOpen && !pickerStatus ? pickerId : undefined}
        aria-activedescendant={activeOption}
        placeholder={
          isDisabled
            ? 'This session is archived.'
            : isRunning
              ? 'Message (queued until the agent is done; Esc stops it)'
              : 'Message (Enter to send, Shift+Enter for a new line, @ to mention a file)'
        }
        rows={3}
        value={text}
        disabled={isDisabled}
        onChange={(event) =>
          updateText(event.target.value, event.target.selectionStart ?? event.target.value.length)
        }
        onKeyDown={handleKeyDown}
        onBlur={() => setMention(undefined)}
      />
      <div className="composer-actions">
        <span className="visually-hidden" aria-live="polite">
          {isPickerOpen && !pickerStatus ? `${matches.length} files match` : ''}
        </span>
        {isSending && (
          <span className="muted small-text" data-testid="composer-sending">
            Sending…
          </span>
        )}
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
          disabled={isDisabled || text.trim() === ''}
        >
          Send
        </button>
      </div>
    </form>
  );
}
