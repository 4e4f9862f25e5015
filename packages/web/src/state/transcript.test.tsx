import { describe, expect, it } from 'vitest';
import { EventLog } from '../test/event-log';
import { applyEvents } from './transcript';
import { emptyTranscript, type TranscriptItem } from './transcript-types';

const quietLogger = { warn: () => undefined };

function build(log: EventLog) {
  return applyEvents(emptyTranscript, log.events, quietLogger);
}

function only<K extends TranscriptItem['kind']>(items: readonly TranscriptItem[], kind: K) {
  return items.filter((item): item is Extract<TranscriptItem, { kind: K }> => item.kind === kind);
}

describe('transcript reducer', () => {
  it('assembles streamed text by message and block, then confirms it with the complete message', () => {
    const log = new EventLog();
    log.add('turn_started', { turnId: 't1', messageId: 'u1' });
    log.add('stream_delta', { turnId: 't1', messageId: 'm1', blockIndex: 0, kind: 'thinking', text: 'Hmm' });
    log.add('stream_delta', { turnId: 't1', messageId: 'm1', blockIndex: 1, kind: 'text', text: 'Hel' });
    log.add('stream_delta', { turnId: 't1', messageId: 'm1', blockIndex: 1, kind: 'text', text: 'lo' });
    const streaming = build(log);
    expect(only(streaming.items, 'thinking')[0]?.text).toBe('Hmm');
    expect(only(streaming.items, 'text')[0]).toMatchObject({ text: 'Hello', isStreaming: true });

    log.add('assistant_message', {
      turnId: 't1',
      messageId: 'm1',
      content: [
        { type: 'thinking', thinking: 'Hmm.' },
        { type: 'text', text: 'Hello!' },
      ],
    });
    const confirmed = applyEvents(streaming, log.events, quietLogger);
    expect(confirmed.items.map((item) => item.kind)).toEqual(['thinking', 'text']);
    expect(only(confirmed.items, 'text')[0]).toMatchObject({ text: 'Hello!', isStreaming: false });
    expect(only(confirmed.items, 'thinking')[0]?.text).toBe('Hmm.');
  });

  it('ignores events at or below the last applied seq, so a replay never doubles text', () => {
    const log = new EventLog();
    log.addTextTurn('t1', 'hi', ['Hel', 'lo']);
    const once = build(log);
    const replayed = applyEvents(once, log.events, quietLogger);
    expect(replayed).toBe(once);

    // A reconnect that overlaps: the first half again, then new events.
    const partial = applyEvents(emptyTranscript, log.events.slice(0, 3), quietLogger);
    const resumed = applyEvents(partial, log.events.slice(1), quietLogger);
    expect(resumed.items).toEqual(once.items);
    expect(only(resumed.items, 'text')[0]?.text).toBe('Hello');
  });

  it('reuses the key index for batches that only grow a streaming block, and never changes an old one', () => {
    const log = new EventLog();
    log.add('turn_started', { turnId: 't1', messageId: 'u1' });
    const delta = (text: string) =>
      log.add('stream_delta', { turnId: 't1', messageId: 'm1', blockIndex: 0, kind: 'text', text });
    delta('Hel');
    const first = build(log);
    const firstKeys = [...first.index.keys()];

    delta('lo');
    const grown = applyEvents(first, log.events, quietLogger);
    expect(only(grown.items, 'text')[0]?.text).toBe('Hello');
    expect(grown.index).toBe(first.index); // no key came or went: nothing to copy
    expect(grown.items).not.toBe(first.items);

    log.add('stream_delta', { turnId: 't1', messageId: 'm1', blockIndex: 1, kind: 'text', text: 'More' });
    const added = applyEvents(grown, log.events, quietLogger);
    expect(added.index).not.toBe(grown.index);
    expect(added.index.size).toBeGreaterThan(first.index.size);
    // The earlier transcripts (still held by React until it re-renders) are untouched.
    expect([...first.index.keys()]).toEqual(firstKeys);
    expect(only(first.items, 'text')[0]?.text).toBe('Hel');
    expect(only(added.items, 'text').map((item) => item.text)).toEqual(['Hello', 'More']);
  });

  it('pairs tool calls with their results by id, with state and duration', () => {
    const log = new EventLog();
    log.add('turn_started', { turnId: 't1', messageId: 'u1' });
    log.add('stream_delta', {
      turnId: 't1',
      messageId: 'm1',
      blockIndex: 0,
      kind: 'tool_input',
      text: '{"comm',
    });
    const preparing = build(log);
    expect(only(preparing.items, 'tool')[0]).toMatchObject({ state: 'preparing', partialInput: '{"comm' });
    // Deltas that name their tool (runners since this field) name the card before the call is whole.
    const named = new EventLog();
    named.add('turn_started', { turnId: 't1', messageId: 'u1' });
    named.add('stream_delta', {
      turnId: 't1',
      messageId: 'm1',
      blockIndex: 0,
      kind: 'tool_input',
      text: '{',
      toolName: 'Bash',
    });
    expect(only(build(named).items, 'tool')[0]).toMatchObject({ tool: 'Bash', state: 'preparing' });

    const input = { command: 'ls' };
    log.add('assistant_message', {
      turnId: 't1',
      messageId: 'm1',
      content: [{ type: 'tool_use', id: 'tu1', name: 'Bash', input }],
    });
    log.add('tool_use', { turnId: 't1', id: 'tu1', tool: 'Bash', input });
    log.add('tool_use', { turnId: 't1', id: 'tu2', tool: 'Read', input: { file_path: 'a.ts' } });
    const running = build(log);
    const tools = only(running.items, 'tool');
    expect(tools).toHaveLength(2);
    expect(tools[0]).toMatchObject({ toolUseId: 'tu1', tool: 'Bash', state: 'running', input });

    log.add('tool_result', { turnId: 't1', id: 'tu2', ok: false, output: 'no such file' });
    log.add('tool_result', { turnId: 't1', id: 'tu1', ok: true, output: 'a.ts\n' });
    const done = only(build(log).items, 'tool');
    expect(done[0]).toMatchObject({ state: 'ok', output: 'a.ts\n' });
    expect(done[1]).toMatchObject({ state: 'error', output: 'no such file' });
    const bash = done[0]!;
    // Started by its tool_use (seq 4), ended by its result (seq 7): one second per event.
    expect(bash.endedAt! - bash.startedAt!).toBe(3000);
  });

  it('keeps turns apart when a restarted model endpoint reuses message and tool ids', () => {
    const log = new EventLog();
    for (const turnId of ['t1', 't2']) {
      log.add('turn_started', { turnId, messageId: `u_${turnId}` });
      log.add('stream_delta', {
        turnId,
        messageId: 'msg_fake_1',
        blockIndex: 0,
        kind: 'text',
        text: `reply ${turnId}`,
      });
      log.add('tool_use', {
        turnId,
        id: 'toolu_fake_2',
        tool: 'Write',
        input: { file_path: `${turnId}.md` },
      });
      log.add('tool_result', { turnId, id: 'toolu_fake_2', ok: true, output: `wrote ${turnId}` });
      log.add('turn_ended', { turnId, outcome: 'completed' });
    }
    const transcript = build(log);
    expect(only(transcript.items, 'text').map((item) => item.text)).toEqual(['reply t1', 'reply t2']);
    expect(only(transcript.items, 'tool').map((item) => item.output)).toEqual(['wrote t1', 'wrote t2']);
  });

  it('ends a turn with a footer and closes what the turn left running', () => {
    const log = new EventLog();
    log.add('user_message', { messageId: 'u1', text: 'go', queued: false });
    log.add('turn_started', { turnId: 't1', messageId: 'u1' });
    log.add('stream_delta', { turnId: 't1', messageId: 'm1', blockIndex: 0, kind: 'text', text: 'Work' });
    log.add('tool_use', { turnId: 't1', id: 'tu1', tool: 'Bash', input: { command: 'sleep 9' } });
    const usage = { inputTokens: 10, outputTokens: 20, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 };
    log.add('turn_ended', { turnId: 't1', outcome: 'interrupted', durationMs: 3000, usage, costUsd: 0.02 });
    const transcript = build(log);
    expect(only(transcript.items, 'text')[0]?.isStreaming).toBe(false);
    expect(only(transcript.items, 'tool')[0]?.state).toBe('cancelled');
    expect(only(transcript.items, 'turn_footer')[0]).toMatchObject({
      outcome: 'interrupted',
      durationMs: 3000,
      usage,
      costUsd: 0.02,
      retryable: false,
    });
    expect(transcript.activeTurnId).toBeUndefined();
    expect(transcript.turnsEnded).toBe(1);
  });

  it('offers Retry on the latest retryable failure only', () => {
    const log = new EventLog();
    log.add('user_message', { messageId: 'u1', text: 'fix it', queued: false });
    log.add('turn_started', { turnId: 't1', messageId: 'u1' });
    log.add('error_reported', { code: 'sdk_error', message: 'overloaded', retryable: true });
    log.add('turn_ended', { turnId: 't1', outcome: 'failed', reason: 'API overloaded', retryable: true });
    const failed = build(log);
    expect(failed.retryKey).toBe('turn:t1');
    expect(failed.lastUserText).toBe('fix it');
    expect(only(failed.items, 'error')[0]).toMatchObject({ message: 'overloaded', retryable: true });

    log.add('turn_started', { turnId: 't2', messageId: 'u2' });
    expect(build(log).retryKey).toBeUndefined();
  });

  it('keeps queued messages aside until their turn starts', () => {
    const log = new EventLog();
    log.add('user_message', { messageId: 'u1', text: 'first', queued: false });
    log.add('turn_started', { turnId: 't1', messageId: 'u1' });
    log.add('user_message', { messageId: 'u2', text: 'second', queued: true });
    const waiting = build(log);
    expect(waiting.queued.map((message) => message.text)).toEqual(['second']);
    expect(only(waiting.items, 'user')).toHaveLength(1);

    log.add('turn_ended', { turnId: 't1', outcome: 'completed' });
    log.add('turn_started', { turnId: 't2', messageId: 'u2' });
    const started = build(log);
    expect(started.queued).toEqual([]);
    expect(started.items.map((item) => item.kind)).toEqual(['user', 'turn_footer', 'user']);
  });

  it('takes queued messages an archive dropped out of the queue, and says they were not sent', () => {
    const log = new EventLog();
    log.add('user_message', { messageId: 'u1', text: 'first', queued: false });
    log.add('turn_started', { turnId: 't1', messageId: 'u1' });
    log.add('user_message', { messageId: 'u2', text: 'second\nand more', queued: true });
    log.add('user_message', { messageId: 'u3', text: 'third', queued: true });
    log.add('turn_ended', { turnId: 't1', outcome: 'interrupted' });
    log.add('messages_dropped', { messageIds: ['u2', 'u3'], reason: 'The session was archived.' });
    const transcript = build(log);
    expect(transcript.queued).toEqual([]);
    expect(only(transcript.items, 'user').map((item) => item.text)).toEqual(['first']);
    expect(only(transcript.items, 'notice').at(-1)?.text).toBe(
      'Not sent: “second and more”, “third”. The session was archived.',
    );
  });

  it('says a message shown as sent was not sent when it is dropped before it started (it waited for a slot)', () => {
    const log = new EventLog();
    log.add('user_message', { messageId: 'u1', text: 'waited for a slot', queued: false });
    log.add('messages_dropped', { messageIds: ['u1'], reason: 'Cancelled by you.' });
    const transcript = build(log);
    expect(only(transcript.items, 'user').map((item) => item.text)).toEqual(['waited for a slot']);
    expect(only(transcript.items, 'notice').at(-1)?.text).toBe(
      'Not sent: “waited for a slot”. Cancelled by you.',
    );
  });

  it('tracks permission requests until they are resolved', () => {
    const log = new EventLog();
    const request = { turnId: 't1', requestId: 'r1', tool: 'Bash', input: { command: 'rm x' } };
    log.add('permission_requested', request);
    expect(only(build(log).items, 'permission')[0]?.state).toBe('pending');
    log.add('permission_resolved', { requestId: 'r1', allow: false, message: 'not that', by: 'user' });
    expect(only(build(log).items, 'permission')[0]).toMatchObject({
      state: 'denied',
      decidedBy: 'user',
      message: 'not that',
    });
  });

  it('counts the wait for a permission answer apart from the tool call that asked', () => {
    const log = new EventLog();
    log.add('turn_started', { turnId: 't1', messageId: 'u1' });
    log.add('tool_use', { turnId: 't1', id: 'tu1', tool: 'Bash', input: { command: 'ls' } });
    log.add('tool_use', { turnId: 't1', id: 'tu2', tool: 'Bash', input: { command: 'rm x' } });
    log.add('permission_requested', {
      turnId: 't1',
      requestId: 'r1',
      tool: 'Bash',
      input: { command: 'rm x' },
    });
    const waiting = build(log);
    expect(only(waiting.items, 'tool').map((tool) => tool.waitingSince !== undefined)).toEqual([false, true]);
    expect(only(waiting.items, 'permission')[0]?.toolKey).toBe('tool:t1:tu2');

    log.add('stream_delta', { turnId: 't1', messageId: 'm1', blockIndex: 0, kind: 'text', text: '…' });
    log.add('stream_delta', { turnId: 't1', messageId: 'm1', blockIndex: 0, kind: 'text', text: '…' });
    log.add('permission_resolved', { requestId: 'r1', allow: true, by: 'user' });
    log.add('tool_result', { turnId: 't1', id: 'tu2', ok: true, output: '' });
    const tool = only(build(log).items, 'tool')[1];
    // EventLog events are one second apart: asked at 4s, answered at 7s, done at 8s after tool_use at 3s.
    expect(tool).toMatchObject({ waitedMs: 3000, waitingSince: undefined });
    expect((tool?.endedAt ?? 0) - (tool?.startedAt ?? 0)).toBe(5000);
  });

  it('attaches a permission request to the call it names, or else to the oldest call of that tool', () => {
    const log = new EventLog();
    log.add('turn_started', { turnId: 't1', messageId: 'u1' });
    for (const id of ['a', 'b', 'c'])
      log.add('tool_use', {
        turnId: 't1',
        id,
        tool: 'Edit',
        input: { file_path: `${id}.txt`, new_string: 'x' },
      });
    // The SDK's toolUseID: exact, whatever the input looks like.
    log.add('permission_requested', {
      turnId: 't1',
      requestId: 'r1',
      tool: 'Edit',
      input: { new_string: 'x', file_path: 'b.txt', replace_all: false },
      toolUseId: 'b',
    });
    expect(only(build(log).items, 'permission')[0]?.toolKey).toBe('tool:t1:b');

    // An old log without it, and an input with defaults filled in: the oldest call still open.
    log.add('permission_requested', {
      turnId: 't1',
      requestId: 'r2',
      tool: 'Edit',
      input: { new_string: 'x', file_path: 'a.txt', replace_all: false },
    });
    expect(only(build(log).items, 'permission')[1]?.toolKey).toBe('tool:t1:a');
  });

  it('counts git operations, so panes showing the worktree know it moved without a turn', () => {
    const log = new EventLog();
    log.add('git_operation', { kind: 'commit', ok: true, sha: 'a'.repeat(40), message: 'Add x' });
    log.add('git_operation', { kind: 'merge', ok: true, message: 'Merged into main' });
    expect(build(log).gitOperations).toBe(2);
  });

  it('follows status changes and skips payloads that fail their schema', () => {
    const log = new EventLog();
    log.add('status_changed', { status: 'running' });
    log.events.push({ seq: 2, type: 'tool_result', ts: 1, payload: { nonsense: true } });
    const transcript = build(log);
    expect(transcript.status).toBe('running');
    expect(transcript.items).toEqual([]);
    expect(transcript.lastSeq).toBe(2);
  });
});
