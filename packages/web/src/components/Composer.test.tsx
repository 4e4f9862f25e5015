// @vitest-environment happy-dom
import '../test/dom';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
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
  it('sends on Enter and clears the input once accepted', async () => {
    const { onSend, input } = setup();
    fireEvent.change(input, { target: { value: 'hello' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(input.value).toBe(''));
    expect(onSend).toHaveBeenCalledWith('hello');
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

  it('has no Stop button while idle', () => {
    setup();
    expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull();
  });
});
