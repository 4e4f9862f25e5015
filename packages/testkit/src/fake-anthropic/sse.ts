import type { ScriptedBlock, ScriptedMessage } from './types.js';

/** One server-sent event of the Messages API stream. */
export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

export interface MessageIds {
  messageId: string;
  model: string;
  /** Id for a tool_use block that has none in the script. */
  nextToolUseId: () => string;
  inputTokens: number;
}

/** A block with its tool_use id settled, so the SSE stream and the JSON form agree. */
type ResolvedBlock =
  | Exclude<ScriptedBlock, { type: 'tool_use' }>
  | (ScriptedBlock & { type: 'tool_use'; id: string });

export function resolveBlocks(message: ScriptedMessage, ids: MessageIds): ResolvedBlock[] {
  return message.content.map((block) =>
    block.type === 'tool_use' ? { ...block, id: block.id ?? ids.nextToolUseId() } : block,
  );
}

export function stopReasonOf(message: ScriptedMessage): string {
  return message.stopReason ?? (message.content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
}

/** Rough but deterministic token count: a token per four characters. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** Splits by code points so a chunk never cuts a surrogate pair in half. */
export function chunk(text: string, size: number | undefined): string[] {
  if (text === '') return [];
  if (size === undefined || size <= 0) return [text];
  const points = Array.from(text);
  const chunks: string[] = [];
  for (let i = 0; i < points.length; i += size) chunks.push(points.slice(i, i + size).join(''));
  return chunks;
}

function outputTokens(blocks: ResolvedBlock[]): number {
  let total = 0;
  for (const block of blocks) {
    if (block.type === 'text') total += estimateTokens(block.text);
    else if (block.type === 'thinking') total += estimateTokens(block.thinking);
    else total += estimateTokens(JSON.stringify(block.input));
  }
  return total;
}

function usage(ids: MessageIds, output: number): Record<string, number> {
  return {
    input_tokens: ids.inputTokens,
    output_tokens: output,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
}

/** A fake signature: the CLI keeps thinking blocks in the history and sends them back unchanged. */
const FAKE_SIGNATURE = 'fake-anthropic-signature';

/**
 * The SSE events for one scripted message, in the order the real API sends them:
 * message_start, per block start/deltas/stop, message_delta, message_stop.
 */
export function messageEvents(
  blocks: ResolvedBlock[],
  stopReason: string,
  ids: MessageIds,
  chunkSize?: number,
) {
  const events: SseEvent[] = [];
  const push = (event: string, data: Record<string, unknown>) =>
    events.push({ event, data: { type: event, ...data } });
  push('message_start', {
    message: {
      id: ids.messageId,
      type: 'message',
      role: 'assistant',
      model: ids.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: usage(ids, 1),
    },
  });
  blocks.forEach((block, index) => {
    const delta = (d: Record<string, unknown>) => push('content_block_delta', { index, delta: d });
    if (block.type === 'text') {
      push('content_block_start', { index, content_block: { type: 'text', text: '' } });
      for (const piece of chunk(block.text, chunkSize)) delta({ type: 'text_delta', text: piece });
    } else if (block.type === 'thinking') {
      push('content_block_start', {
        index,
        content_block: { type: 'thinking', thinking: '', signature: '' },
      });
      for (const piece of chunk(block.thinking, chunkSize))
        delta({ type: 'thinking_delta', thinking: piece });
      delta({ type: 'signature_delta', signature: FAKE_SIGNATURE });
    } else {
      push('content_block_start', {
        index,
        content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
      });
      for (const piece of chunk(JSON.stringify(block.input), chunkSize)) {
        delta({ type: 'input_json_delta', partial_json: piece });
      }
    }
    push('content_block_stop', { index });
  });
  push('message_delta', {
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: { output_tokens: outputTokens(blocks) },
  });
  push('message_stop', {});
  return events;
}

/** The same message as one JSON object, for clients that did not ask for a stream. */
export function messageJson(blocks: ResolvedBlock[], stopReason: string, ids: MessageIds) {
  return {
    id: ids.messageId,
    type: 'message',
    role: 'assistant',
    model: ids.model,
    content: blocks.map((block) => {
      if (block.type === 'text') return { type: 'text', text: block.text };
      if (block.type === 'thinking')
        return { type: 'thinking', thinking: block.thinking, signature: FAKE_SIGNATURE };
      return { type: 'tool_use', id: block.id, name: block.name, input: block.input };
    }),
    stop_reason: stopReason,
    stop_sequence: null,
    usage: usage(ids, outputTokens(blocks)),
  };
}

export function formatSse(event: SseEvent): string {
  return `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}
