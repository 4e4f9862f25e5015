import type {
  SDKAssistantMessage,
  SDKMessage,
  SDKPartialAssistantMessage,
  SDKResultMessage,
  SDKUserMessage,
} from '@anthropic-ai/claude-agent-sdk';
import type { ContentBlock, DeltaKind, RunnerResult } from '@chatml/protocol';
import type { RunnerEventBody } from './protocol-io.js';

/** The runner's view of one user turn, as far as the mapper needs it. */
export interface TurnInfo {
  turnId: string;
  isInterruptRequested: boolean;
  startedAt: number;
}

interface PendingAssistant {
  messageId: string;
  turnId: string;
  content: ContentBlock[];
}

type RawBlock = { type: string; [key: string]: unknown };

/**
 * Maps SDK messages to runner events. The SDK yields one `assistant` message per content block; they
 * are gathered by message id and sent as one `assistant_message` when the API message is complete
 * (its `message_stop`, or the next message of any other kind), followed by a `tool_use` per call.
 * Subagent traffic (`parent_tool_use_id` set) is not forwarded.
 */
export class MessageMapper {
  private lastReadySessionId: string | undefined;
  private currentMessageId: string | undefined;
  private pending: PendingAssistant | undefined;
  /** Tool names by content block index in the current message (from `content_block_start`). */
  private readonly toolNames = new Map<number, string>();
  /**
   * `total_cost_usd` is cumulative per SDK session, also across resumes; a turn's cost is the
   * difference to the previous result. Unknown for the first turn of a resumed query.
   */
  private costBaseline: number | undefined = 0;

  /** A new `query()` started; a resumed one carries a cost total this runner never saw. */
  startQuery(isResumed: boolean): void {
    this.costBaseline = isResumed ? undefined : 0;
    this.currentMessageId = undefined;
    this.pending = undefined;
  }

  map(message: SDKMessage, turn: TurnInfo | undefined): RunnerEventBody[] {
    if (message.type === 'system' && message.subtype === 'init') {
      if (message.session_id === this.lastReadySessionId) return [];
      this.lastReadySessionId = message.session_id;
      return [
        { type: 'ready', sdkSessionId: message.session_id, model: message.model, tools: message.tools },
      ];
    }
    if ('parent_tool_use_id' in message && message.parent_tool_use_id !== null) return [];
    if (!turn) return [];
    switch (message.type) {
      case 'stream_event':
        return this.mapStreamEvent(message, turn);
      case 'assistant':
        return this.addAssistant(message, turn);
      case 'user':
        return [...this.flush(), ...toolResults(message, turn)];
      default:
        return [];
    }
  }

  /** The turn's `result` (after any assistant content still held back). */
  mapResult(message: SDKResultMessage, turn: TurnInfo, now = Date.now()): RunnerEventBody[] {
    const baseline = this.costBaseline;
    this.costBaseline = message.total_cost_usd;
    const result: RunnerResult = {
      subtype: message.subtype,
      isError: message.is_error,
      interrupted: turn.isInterruptRequested,
      text: message.subtype === 'success' ? message.result : userFacingErrors(message.errors),
      usage: {
        inputTokens: message.usage.input_tokens ?? 0,
        outputTokens: message.usage.output_tokens ?? 0,
        cacheReadInputTokens: message.usage.cache_read_input_tokens ?? 0,
        cacheCreationInputTokens: message.usage.cache_creation_input_tokens ?? 0,
      },
      totalCostUsd: message.total_cost_usd,
      durationMs: Math.max(0, now - turn.startedAt),
      numTurns: message.num_turns,
    };
    if (baseline !== undefined) result.costUsd = Math.max(0, message.total_cost_usd - baseline);
    if (message.subtype === 'success' && typeof message.api_error_status === 'number') {
      result.apiErrorStatus = message.api_error_status;
    }
    return [...this.flush(), { type: 'result', turnId: turn.turnId, result }];
  }

  /** Assistant content held back, as events. Called before anything that must come after it. */
  flush(): RunnerEventBody[] {
    const pending = this.pending;
    if (!pending) return [];
    this.pending = undefined;
    const events: RunnerEventBody[] = [
      {
        type: 'assistant_message',
        turnId: pending.turnId,
        messageId: pending.messageId,
        content: pending.content,
      },
    ];
    for (const block of pending.content) {
      if (block.type === 'tool_use') {
        events.push({
          type: 'tool_use',
          turnId: pending.turnId,
          id: block.id,
          tool: block.name,
          input: block.input,
        });
      }
    }
    return events;
  }

  private mapStreamEvent(message: SDKPartialAssistantMessage, turn: TurnInfo): RunnerEventBody[] {
    const event = message.event;
    if (event.type === 'message_start') {
      const flushed = this.pending && this.pending.messageId !== event.message.id ? this.flush() : [];
      this.currentMessageId = event.message.id;
      this.toolNames.clear();
      return flushed;
    }
    if (event.type === 'message_stop') return this.flush();
    if (event.type === 'content_block_start') {
      const block = event.content_block as unknown as RawBlock;
      if (block.type === 'tool_use' && typeof block.name === 'string')
        this.toolNames.set(event.index, block.name);
      return [];
    }
    if (event.type !== 'content_block_delta') return [];
    const delta = event.delta as unknown as RawBlock;
    let kind: DeltaKind;
    let text: unknown;
    if (delta.type === 'text_delta') [kind, text] = ['text', delta.text];
    else if (delta.type === 'thinking_delta') [kind, text] = ['thinking', delta.thinking];
    else if (delta.type === 'input_json_delta') [kind, text] = ['tool_input', delta.partial_json];
    else return [];
    if (typeof text !== 'string' || text === '') return [];
    const messageId = this.currentMessageId ?? apiMessageId(message) ?? 'unknown';
    const body = {
      type: 'stream_delta' as const,
      turnId: turn.turnId,
      messageId,
      blockIndex: event.index,
      kind,
      text,
    };
    const toolName = kind === 'tool_input' ? this.toolNames.get(event.index) : undefined;
    return [toolName === undefined ? body : { ...body, toolName }];
  }

  private addAssistant(message: SDKAssistantMessage, turn: TurnInfo): RunnerEventBody[] {
    const messageId = message.message.id;
    const flushed = this.pending && this.pending.messageId !== messageId ? this.flush() : [];
    if (!this.pending) this.pending = { messageId, turnId: turn.turnId, content: [] };
    for (const block of message.message.content as unknown as RawBlock[])
      this.pending.content.push(toContentBlock(block));
    return flushed;
  }
}

function apiMessageId(message: SDKPartialAssistantMessage): string | undefined {
  // Undocumented but present in SDK 0.3.331: every stream event names its API message.
  const id = (message as { api_message_id?: unknown }).api_message_id;
  return typeof id === 'string' ? id : undefined;
}

function toContentBlock(block: RawBlock): ContentBlock {
  if (block.type === 'text' && typeof block.text === 'string') return { type: 'text', text: block.text };
  if (block.type === 'thinking' && typeof block.thinking === 'string') {
    return { type: 'thinking', thinking: block.thinking };
  }
  if (block.type === 'tool_use' && typeof block.id === 'string' && typeof block.name === 'string') {
    return { type: 'tool_use', id: block.id, name: block.name, input: block.input };
  }
  return { type: 'other', raw: block };
}

function toolResults(message: SDKUserMessage, turn: TurnInfo): RunnerEventBody[] {
  const content = message.message.content;
  if (typeof content === 'string') return [];
  const events: RunnerEventBody[] = [];
  for (const block of content as unknown as RawBlock[]) {
    if (block.type !== 'tool_result') continue;
    events.push({
      type: 'tool_result',
      turnId: turn.turnId,
      id: String(block.tool_use_id),
      ok: block.is_error !== true,
      output: resultText(block.content),
    });
  }
  return events;
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: RawBlock) => {
      if (part.type === 'text' && typeof part.text === 'string') return part.text;
      return `[${part.type}]`;
    })
    .join('\n');
}

/**
 * The SDK's error strings minus its internal diagnostics (`[ede_diagnostic] result_type=…`, added
 * to an interrupted turn's result): they describe the SDK's state machine, not anything the user did.
 */
function userFacingErrors(errors: readonly string[]): string {
  return errors.filter((error) => !error.startsWith('[ede_diagnostic]')).join('\n');
}
