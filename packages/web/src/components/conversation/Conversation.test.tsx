// @vitest-environment happy-dom
import '../../test/dom';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TranscriptSource } from '../../app/services';
import { applyEvents } from '../../state/transcript';
import { TranscriptStore } from '../../state/transcript-store';
import { emptyTranscript, type Transcript } from '../../state/transcript-types';
import { EventLog } from '../../test/event-log';
import { ScrollLayout } from '../../test/scroll-layout';
import { Conversation } from './Conversation';

const quiet = { warn: () => undefined };

/** A transcript that does not change, as the conversation reads it from a session's store. */
function sourceOf(transcript: Transcript, isCaughtUp = true): TranscriptSource {
  const snapshot = { transcript, isCaughtUp, error: undefined };
  return { subscribe: () => () => undefined, getSnapshot: () => snapshot };
}

function conversationLog(): EventLog {
  const log = new EventLog();
  log.add('user_message', { messageId: 'u1', text: 'Add a readme', queued: false });
  log.add('turn_started', { turnId: 't1', messageId: 'u1' });
  log.add('stream_delta', {
    turnId: 't1',
    messageId: 'm1',
    blockIndex: 0,
    kind: 'thinking',
    text: 'secret plan',
  });
  log.add('stream_delta', {
    turnId: 't1',
    messageId: 'm1',
    blockIndex: 1,
    kind: 'text',
    text: 'Done: **bold** move',
  });
  log.add('tool_use', { turnId: 't1', id: 'tu1', tool: 'Bash', input: { command: 'git status' } });
  log.add('tool_result', { turnId: 't1', id: 'tu1', ok: true, output: 'clean' });
  return log;
}

describe('Conversation', () => {
  it('renders user text, Markdown replies, collapsed thinking and tool cards', () => {
    const transcript = applyEvents(emptyTranscript, conversationLog().events, quiet);
    render(<Conversation source={sourceOf(transcript)} onRetry={undefined} />);
    const log = screen.getByTestId('transcript');
    expect(within(log).getByText('Add a readme')).toBeTruthy();
    expect(within(log).getByText('bold').tagName).toBe('STRONG');
    expect(within(log).queryByText('secret plan')).toBeNull();
    fireEvent.click(within(log).getByRole('button', { name: /Thinking/ }));
    expect(within(log).getByText('secret plan')).toBeTruthy();
    expect(within(log).getByRole('article', { name: 'Bash done' })).toBeTruthy();
    expect(within(log).getByText('$ git status')).toBeTruthy();
  });

  it('shows queued messages after the transcript and a turn footer with its facts', () => {
    const log = conversationLog();
    log.add('user_message', { messageId: 'u2', text: 'then add tests', queued: true });
    const usage = {
      inputTokens: 1200,
      outputTokens: 300,
      cacheReadInputTokens: 0,
      cacheCreationInputTokens: 0,
    };
    log.add('turn_ended', { turnId: 't1', outcome: 'completed', durationMs: 4200, usage, costUsd: 0.0312 });
    const transcript = applyEvents(emptyTranscript, log.events, quiet);
    render(<Conversation source={sourceOf(transcript)} onRetry={undefined} />);
    expect(screen.getByTestId('queued-message').textContent).toContain('then add tests');
    const footer = screen.getByTestId('turn-footer');
    expect(footer.textContent).toContain('Completed');
    expect(footer.textContent).toContain('4.2s');
    expect(footer.textContent).toContain('1.2k in · 300 out');
    expect(footer.textContent).toContain('$0.03');
  });

  it('shows no dollar figure for a turn recorded without a price (the offline demo model), only its time and tokens', () => {
    const log = conversationLog();
    const usage = {
      inputTokens: 900,
      outputTokens: 40,
      cacheReadInputTokens: 0,
      cacheCreationInputTokens: 0,
    };
    // The backend leaves costUsd out of a demo-model turn (see turn-outcome.ts).
    log.add('turn_ended', { turnId: 't1', outcome: 'completed', durationMs: 1500, usage });
    const transcript = applyEvents(emptyTranscript, log.events, quiet);
    render(<Conversation source={sourceOf(transcript)} onRetry={undefined} />);
    const footer = screen.getByTestId('turn-footer');
    expect(footer.textContent).toContain('1.5s');
    expect(footer.textContent).toContain('900 in · 40 out');
    expect(footer.textContent).not.toContain('$');
  });

  it('leaves the token count out of a turn stopped before the model answered', () => {
    const log = conversationLog();
    const usage = { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 };
    log.add('turn_ended', { turnId: 't1', outcome: 'interrupted', durationMs: 700, usage });
    const transcript = applyEvents(emptyTranscript, log.events, quiet);
    render(<Conversation source={sourceOf(transcript)} onRetry={undefined} />);
    const footer = screen.getByTestId('turn-footer');
    expect(footer.textContent).toBe('Interrupted700ms');
  });

  it('offers Retry on a failed turn and calls back', () => {
    const log = new EventLog();
    log.add('user_message', { messageId: 'u1', text: 'go', queued: false });
    log.add('turn_started', { turnId: 't1', messageId: 'u1' });
    log.add('turn_ended', {
      turnId: 't1',
      outcome: 'failed',
      reason: 'The API is overloaded.',
      retryable: true,
    });
    const transcript = applyEvents(emptyTranscript, log.events, quiet);
    const onRetry = vi.fn();
    render(<Conversation source={sourceOf(transcript)} onRetry={onRetry} />);
    expect(screen.getByText('The API is overloaded.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(onRetry).toHaveBeenCalledOnce();
  });

  it("shows a failed turn's error once, in the footer with Retry, unless the others say more", () => {
    const log = new EventLog();
    log.add('user_message', { messageId: 'u1', text: 'go', queued: false });
    log.add('turn_started', { turnId: 't1', messageId: 'u1' });
    log.add('error_reported', {
      code: 'runner_crashed',
      message: 'The agent exited (code 1).',
      retryable: true,
    });
    log.add('turn_ended', {
      turnId: 't1',
      outcome: 'failed',
      reason: 'The agent exited (code 1).',
      retryable: true,
    });
    log.add('status_changed', { status: 'error', reason: 'The agent exited (code 1).' });
    log.add('user_message', { messageId: 'u2', text: 'again', queued: false });
    log.add('turn_started', { turnId: 't2', messageId: 'u2' });
    log.add('error_reported', { code: 'api_error', message: 'HTTP 529 from the API', retryable: false });
    log.add('turn_ended', {
      turnId: 't2',
      outcome: 'failed',
      reason: 'The API is overloaded.',
      retryable: true,
    });
    log.add('status_changed', { status: 'error', reason: 'The API is overloaded.' });
    const transcript = applyEvents(emptyTranscript, log.events, quiet);
    render(<Conversation source={sourceOf(transcript)} onRetry={vi.fn()} />);
    const text = screen.getByTestId('transcript').textContent ?? '';
    // The first turn: said once, by its footer.
    expect(text.split('The agent exited (code 1).')).toHaveLength(2);
    expect(text).not.toContain('The session hit an error');
    // The second: the runner's own error says something else, so it stays; the status line does not.
    expect(screen.getByTestId('error-item').textContent).toContain('HTTP 529 from the API');
    expect(text.split('The API is overloaded.')).toHaveLength(2);
    const footers = screen.getAllByTestId('turn-footer');
    expect(footers.map((footer) => footer.textContent?.includes('Failed'))).toEqual([true, true]);
    expect(within(footers[1] as HTMLElement).getByRole('button', { name: 'Retry' })).toBeTruthy();
  });

  it('says when it is loading and when there is nothing yet', () => {
    const { rerender } = render(
      <Conversation source={sourceOf(emptyTranscript, false)} onRetry={undefined} />,
    );
    expect(screen.getByText('Loading the conversation…')).toBeTruthy();
    rerender(<Conversation source={sourceOf(emptyTranscript)} onRetry={undefined} />);
    expect(screen.getByText('No messages yet.')).toBeTruthy();
  });

  it('follows its session as it streams: a growing answer, then a new row', () => {
    const store = new TranscriptStore(() => () => undefined);
    const log = new EventLog();
    const turn = { turnId: 't1', messageId: 'm1', blockIndex: 0, kind: 'text' } as const;
    for (const event of [
      log.add('user_message', { messageId: 'u1', text: 'Tell me', queued: false }),
      log.add('turn_started', { turnId: 't1', messageId: 'u1' }),
      log.add('stream_delta', { ...turn, text: 'Once' }),
    ])
      store.onEvent(event);
    store.onCaughtUp();
    render(<Conversation source={store} onRetry={undefined} />);
    expect(screen.getByTestId('assistant-message').textContent).toBe('Once');

    act(() => {
      store.onEvent(log.add('stream_delta', { ...turn, text: ' upon a time' }));
      store.flush();
    });
    expect(screen.getByTestId('assistant-message').textContent).toBe('Once upon a time');

    act(() => {
      store.onEvent(log.add('turn_ended', { turnId: 't1', outcome: 'completed', durationMs: 1000 }));
      store.flush();
    });
    expect(screen.getByTestId('turn-footer').textContent).toContain('Completed');
  });
});

describe('Conversation following the latest', () => {
  const layout = new ScrollLayout();
  afterEach(() => layout.uninstall());
  /** Lets scroll events, resize observations and the virtualiser's frames run, as a browser would. */
  const settle = () => act(() => new Promise((resolve) => setTimeout(resolve, 50)));

  /** Four finished turns (more than the viewport holds), then a turn streaming its answer. */
  async function streamingSession() {
    layout.install();
    const store = new TranscriptStore(() => () => undefined);
    const log = new EventLog();
    for (const turnId of ['t1', 't2', 't3', 't4'])
      log.addTextTurn(turnId, `ask ${turnId}`, ['an ', 'answer']);
    log.add('user_message', { messageId: 'u5', text: 'go on', queued: false });
    log.add('turn_started', { turnId: 't5', messageId: 'u5' });
    log.add('stream_delta', { turnId: 't5', messageId: 'm5', blockIndex: 0, kind: 'text', text: 'working' });
    for (const event of log.events) store.onEvent(event);
    store.onCaughtUp();
    render(<Conversation source={store} onRetry={undefined} />);
    await settle();
    const push = async <T extends Parameters<EventLog['add']>[0]>(
      type: T,
      payload: Parameters<EventLog['add']>[1] & Parameters<typeof log.add<T>>[1],
    ) => {
      act(() => {
        store.onEvent(log.add(type, payload));
        store.flush();
      });
      await settle();
    };
    const transcript = screen.getByTestId('transcript');
    return { push, transcript, distanceFromEnd: () => layout.position(transcript).distanceFromEnd };
  }

  it('keeps following when the user interrupts with messages queued and the next turn streams', async () => {
    const { push, distanceFromEnd } = await streamingSession();
    await push('user_message', { messageId: 'q1', text: 'then this', queued: true });
    await push('user_message', { messageId: 'q2', text: 'and that', queued: true });
    expect(distanceFromEnd()).toBe(0);

    // Esc: the turn ends interrupted and the first queued message starts the next turn. Its rows
    // go in before the message still queued, not after the last row.
    await push('turn_ended', { turnId: 't5', outcome: 'interrupted' });
    await push('turn_started', { turnId: 't6', messageId: 'q1' });
    await push('stream_delta', { turnId: 't6', messageId: 'm6', blockIndex: 0, kind: 'text', text: 'Next' });
    await push('tool_use', { turnId: 't6', id: 'tu6', tool: 'Bash', input: { command: 'ls' } });

    expect(distanceFromEnd()).toBe(0);
    expect(screen.queryByRole('button', { name: /Jump to latest/ })).toBeNull();
  });

  it('keeps the last row whole when the log gets shorter (a notice appears above it)', async () => {
    const { distanceFromEnd } = await streamingSession();
    // Less than the "near the end" threshold: the old check still called that the latest.
    layout.viewportHeight -= 40;
    layout.resize();
    await settle();
    expect(distanceFromEnd()).toBe(0);
  });

  it('stops following when the user scrolls up, and Jump to latest follows again', async () => {
    const { push, transcript, distanceFromEnd } = await streamingSession();
    fireEvent.wheel(transcript, { deltaY: -300 });
    transcript.scrollTop -= 300;
    await settle();
    const jump = screen.getByRole('button', { name: /Jump to latest/ });

    await push('stream_delta', { turnId: 't5', messageId: 'm5', blockIndex: 1, kind: 'text', text: 'more' });
    expect(distanceFromEnd()).toBe(400);

    fireEvent.click(jump);
    await settle();
    expect(distanceFromEnd()).toBe(0);
    expect(screen.queryByRole('button', { name: /Jump to latest/ })).toBeNull();
  });

  it('stops following when anything else scrolls the log up (find in page, a screen reader)', async () => {
    const { push, transcript, distanceFromEnd } = await streamingSession();
    transcript.scrollTop = 0;
    await settle();
    await push('stream_delta', { turnId: 't5', messageId: 'm5', blockIndex: 1, kind: 'text', text: 'more' });
    expect(transcript.scrollTop).toBe(0);
    expect(distanceFromEnd()).toBeGreaterThan(0);
    expect(screen.getByRole('button', { name: /Jump to latest/ })).toBeTruthy();
  });
});
