// @vitest-environment happy-dom
import '../test/dom';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { DraftStore, sessionDraftKey } from '../state/drafts';
import { memoryStorage } from '../test/sessions';
import { Composer } from './Composer';

function setup(props: { isRunning?: boolean; onSend?: (text: string) => Promise<void> } = {}) {
  const onSend = vi.fn(props.onSend ?? (() => Promise.resolve()));
  const onStop = vi.fn(() => Promise.resolve());
  render(
    <Composer isRunning={props.isRunning ?? false} isDisabled={false} onSend={onSend} onStop={onStop} />,
  );
  return { onSend, onStop, input: screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement };
}

describe('Composer', () => {
  it('sends on Enter and clears the input', async () => {
    const { onSend, input } = setup();
    fireEvent.change(input, { target: { value: 'hello' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(input.value).toBe(''));
    expect(onSend).toHaveBeenCalledWith('hello');
  });

  it('keeps what is typed while a message is on its way, and sends the next one after it, in order', async () => {
    const accepted: string[] = [];
    const gates: (() => void)[] = [];
    const { onSend, input } = setup({
      onSend: (text) =>
        new Promise<void>((resolve) =>
          gates.push(() => {
            accepted.push(text);
            resolve();
          }),
        ),
    });
    fireEvent.change(input, { target: { value: 'first' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(input.value).toBe('');
    expect(screen.getByTestId('composer-sending')).toBeTruthy();
    // The backend has not answered yet: the user types on, and sends again.
    fireEvent.change(input, { target: { value: 'second' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    fireEvent.change(input, { target: { value: 'third, still typing' } });
    expect(onSend).toHaveBeenCalledTimes(1); // one at a time
    gates.shift()?.();
    await waitFor(() => expect(onSend).toHaveBeenCalledTimes(2));
    gates.shift()?.();
    await waitFor(() => expect(screen.queryByTestId('composer-sending')).toBeNull());
    expect(accepted).toEqual(['first', 'second']);
    expect(input.value).toBe('third, still typing');
  });

  it('puts refused messages back before what was typed since, and sends none after a refusal', async () => {
    let calls = 0;
    let refuse: (error: Error) => void = () => {};
    const { onSend, input } = setup({
      onSend: () => {
        calls += 1;
        return new Promise<void>((_, reject) => {
          refuse = reject;
        });
      },
    });
    fireEvent.change(input, { target: { value: 'first' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    fireEvent.change(input, { target: { value: 'second' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    fireEvent.change(input, { target: { value: 'draft' } });
    refuse(new Error('The backend is unreachable.'));
    expect((await screen.findByRole('alert')).textContent).toBe('The backend is unreachable.');
    expect(input.value).toBe('first\n\nsecond\n\ndraft');
    expect(calls).toBe(1);
    expect(onSend).toHaveBeenCalledTimes(1);
  });

  it('says a message is too long before sending it, and keeps it', () => {
    const { onSend, input } = setup();
    fireEvent.change(input, { target: { value: 'x'.repeat(200_001) } });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.getByRole('alert').textContent).toContain(
      'This message has 200,001 characters; one message can have 200,000.',
    );
    expect(input.value).toHaveLength(200_001);
  });

  it('leaves Shift+Enter to the textarea as a new line', () => {
    const { onSend, input } = setup();
    fireEvent.change(input, { target: { value: 'line one' } });
    fireEvent.keyDown(input, { key: 'Enter', shiftKey: true });
    expect(onSend).not.toHaveBeenCalled();
  });

  it('keeps the text and shows why when sending fails', async () => {
    const { input } = setup({ onSend: () => Promise.reject(new Error('Session is archived.')) });
    fireEvent.change(input, { target: { value: 'hello' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Session is archived.');
    expect(input.value).toBe('hello');
  });

  it('stops a running turn with Esc or the Stop button, and still sends (queued)', async () => {
    const { onStop, onSend, input } = setup({ isRunning: true });
    fireEvent.keyDown(input, { key: 'Escape' });
    fireEvent.click(screen.getByRole('button', { name: 'Stop' }));
    expect(onStop).toHaveBeenCalledTimes(2);
    fireEvent.change(input, { target: { value: 'next' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(onSend).toHaveBeenCalledWith('next'));
  });

  it('keeps keyboard focus in the message box after Stop (the button goes when the turn ends)', () => {
    const { input } = setup({ isRunning: true });
    const stopButton = screen.getByRole('button', { name: 'Stop' });
    stopButton.focus();
    fireEvent.click(stopButton);
    expect(document.activeElement).toBe(input);
  });

  it('takes the focus when it opens with nobody holding it, and leaves it where it is otherwise', () => {
    (document.activeElement as HTMLElement | null)?.blur();
    const { input } = setup();
    expect(document.activeElement).toBe(input);
    cleanup();
    render(<button type="button">elsewhere</button>);
    screen.getByRole('button', { name: 'elsewhere' }).focus();
    setup();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'elsewhere' }));
  });

  it('has no Stop button while idle', () => {
    setup();
    expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull();
  });
});

describe('Composer @ file picker', () => {
  const files = ['README.md', 'src/components/Composer.tsx', 'src/state/catalog.ts'];

  function setupPicker(loadFiles = vi.fn(() => Promise.resolve(files))) {
    render(
      <Composer
        isRunning={false}
        isDisabled={false}
        onSend={() => Promise.resolve()}
        onStop={() => Promise.resolve()}
        loadFiles={loadFiles}
      />,
    );
    const input = screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;
    const type = (value: string) =>
      fireEvent.change(input, { target: { value, selectionStart: value.length } });
    return { input, type, loadFiles };
  }

  it('opens on @, lists files matching what follows fuzzily, and inserts the picked path', async () => {
    const { input, type, loadFiles } = setupPicker();
    type('see @comp');
    const listbox = await screen.findByRole('listbox', { name: 'Files of this worktree' });
    expect(loadFiles).toHaveBeenCalledTimes(1);
    const options = within(listbox).getAllByRole('option');
    expect(options[0]?.textContent).toBe('Composer.tsxsrc/components');
    expect(input.getAttribute('aria-activedescendant')).toBe(options[0]?.id);
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(input.value).toBe('see @src/components/Composer.tsx ');
    expect(screen.queryByRole('listbox')).toBeNull();
  });

  it('moves with the arrow keys, inserts with Tab, and closes with Esc without sending', async () => {
    const onSend = vi.fn(() => Promise.resolve());
    render(
      <Composer
        isRunning={false}
        isDisabled={false}
        onSend={onSend}
        onStop={() => Promise.resolve()}
        loadFiles={() => Promise.resolve(files)}
      />,
    );
    const input = screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;
    fireEvent.change(input, { target: { value: '@', selectionStart: 1 } });
    await screen.findByRole('listbox');
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(screen.getByRole('option', { selected: true }).textContent).toBe('Composer.tsxsrc/components');
    fireEvent.keyDown(input, { key: 'Tab' });
    expect(input.value).toBe('@src/components/Composer.tsx ');

    fireEvent.change(input, { target: { value: 'and @cat', selectionStart: 8 } });
    await screen.findByRole('listbox');
    fireEvent.keyDown(input, { key: 'Escape' });
    expect(screen.queryByRole('listbox')).toBeNull();
    expect(input.value).toBe('and @cat');
    expect(onSend).not.toHaveBeenCalled();
  });

  it('says when listing the files failed', async () => {
    const { type } = setupPicker(vi.fn(() => Promise.reject(new Error('worktree is gone'))));
    type('@x');
    expect((await screen.findByText(/Could not list files: worktree is gone/)).textContent).toBeTruthy();
  });

  it('does not open for an @ inside a word (an e-mail address)', () => {
    const { type, loadFiles } = setupPicker();
    type('mail me@example.com');
    expect(screen.queryByTestId('file-picker')).toBeNull();
    expect(loadFiles).not.toHaveBeenCalled();
  });
});

describe('Composer drafts', () => {
  const A = sessionDraftKey('ws_1', 'ses_a');
  const B = sessionDraftKey('ws_1', 'ses_b');

  function openSession(
    store: DraftStore,
    key: string,
    onSend: (text: string) => Promise<void> = () => Promise.resolve(),
  ) {
    cleanup();
    render(
      <Composer
        isRunning={false}
        isDisabled={false}
        onSend={onSend}
        onStop={() => Promise.resolve()}
        draft={{ store, key }}
      />,
    );
    return screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;
  }

  it('keeps each session’s message while another is shown, with the caret after it', () => {
    const store = new DraftStore(memoryStorage());
    fireEvent.change(openSession(store, A), { target: { value: 'for A' } });
    const inB = openSession(store, B);
    expect(inB.value).toBe('');
    fireEvent.change(inB, { target: { value: 'for B' } });
    const backInA = openSession(store, A);
    expect(backInA.value).toBe('for A');
    expect([backInA.selectionStart, backInA.selectionEnd]).toEqual([5, 5]);
    expect(openSession(store, B).value).toBe('for B');
  });

  it('stores the message at once when another session is shown (a reload right after keeps it)', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const storage = memoryStorage();
      const store = new DraftStore(storage);
      fireEvent.change(openSession(store, A), { target: { value: 'typed just before switching' } });
      expect(storage.data.size).toBe(0);
      openSession(store, B);
      // No timer ran: leaving A wrote it.
      expect(new DraftStore(storage).text(A)).toBe('typed just before switching');
    } finally {
      vi.useRealTimers();
    }
  });

  it('gives the message back after a reload (a new page on the same storage)', () => {
    const storage = memoryStorage();
    const store = new DraftStore(storage);
    fireEvent.change(openSession(store, A), { target: { value: 'line one\nline two' } });
    store.flush(); // what the app does on pagehide
    expect(openSession(new DraftStore(storage), A).value).toBe('line one\nline two');
  });

  it('forgets the message once the backend accepted it', async () => {
    const storage = memoryStorage();
    const store = new DraftStore(storage);
    const input = openSession(store, A);
    fireEvent.change(input, { target: { value: 'do it' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(screen.queryByTestId('composer-sending')).toBeNull());
    store.flush();
    expect(storage.data.size).toBe(0);
    expect(openSession(store, A).value).toBe('');
    expect(openSession(new DraftStore(storage), A).value).toBe('');
  });

  it('keeps the message, here and after a reload, when sending fails', async () => {
    const storage = memoryStorage();
    const store = new DraftStore(storage);
    const input = openSession(store, A, () => Promise.reject(new Error('The backend is unreachable.')));
    fireEvent.change(input, { target: { value: 'do it' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    await screen.findByRole('alert');
    expect(input.value).toBe('do it');
    store.flush();
    expect(openSession(new DraftStore(storage), A).value).toBe('do it');
  });

  it('keeps a message on its way through a reload, and puts it back if refused after the user moved on', async () => {
    const storage = memoryStorage();
    const store = new DraftStore(storage);
    let refuse: (error: Error) => void = () => {};
    const input = openSession(
      store,
      A,
      () =>
        new Promise<void>((_, reject) => {
          refuse = reject;
        }),
    );
    fireEvent.change(input, { target: { value: 'on its way' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    store.flush();
    expect(openSession(new DraftStore(storage), A).value).toBe('on its way');
    // In this page the user went to B meanwhile; then A again, where it is still being sent.
    openSession(store, B);
    const backInA = openSession(store, A);
    expect(backInA.value).toBe('');
    refuse(new Error('The backend is unreachable.'));
    expect((await screen.findByRole('alert')).textContent).toBe('The backend is unreachable.');
    expect(backInA.value).toBe('on its way');
  });

  it('keeps the message while switching when storage is unavailable', () => {
    const store = new DraftStore({
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('SecurityError');
      },
      removeItem: () => undefined,
      key: () => null,
      length: 0,
    });
    fireEvent.change(openSession(store, A), { target: { value: 'kept in memory' } });
    store.flush();
    openSession(store, B);
    expect(openSession(store, A).value).toBe('kept in memory');
  });
});
