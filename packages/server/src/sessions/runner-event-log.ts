import type { NewSessionEvent, RunnerEventOf, SessionEventPayload } from '@chatml/protocol';

type TranscriptRunnerEvent = RunnerEventOf<'stream_delta' | 'assistant_message' | 'tool_use' | 'tool_result'>;

/** A runner's stream delta as the log's `stream_delta` payload (the hub may coalesce several). */
export function toDeltaPayload(event: RunnerEventOf<'stream_delta'>): SessionEventPayload<'stream_delta'> {
  const { turnId, messageId, blockIndex, kind, text, toolName } = event;
  return toolName === undefined
    ? { turnId, messageId, blockIndex, kind, text }
    : { turnId, messageId, blockIndex, kind, text, toolName };
}

/**
 * The runner events that go into the session log as they are — the transcript itself — mapped to
 * their log events (dropping the runner envelope). Events that change the session's state
 * (permissions, results, errors) are handled by the controller.
 */
export function toLogEvent(event: TranscriptRunnerEvent): NewSessionEvent {
  switch (event.type) {
    case 'stream_delta':
      return { type: 'stream_delta', payload: toDeltaPayload(event) };
    case 'assistant_message':
      return {
        type: 'assistant_message',
        payload: { turnId: event.turnId, messageId: event.messageId, content: event.content },
      };
    case 'tool_use':
      return {
        type: 'tool_use',
        payload: { turnId: event.turnId, id: event.id, tool: event.tool, input: event.input },
      };
    case 'tool_result':
      return {
        type: 'tool_result',
        payload: { turnId: event.turnId, id: event.id, ok: event.ok, output: event.output },
      };
  }
}
