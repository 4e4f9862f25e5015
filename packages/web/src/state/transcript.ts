import {
  type SessionEventPayload,
  SessionEventPayloads,
  type SessionEventType,
  type StoredEvent,
} from '@chatml/protocol';
import { clip } from './clip-text';
import { TranscriptDraft } from './transcript-draft';
import type { ToolItem, Transcript } from './transcript-types';

type Handler<T extends SessionEventType> = (
  draft: TranscriptDraft,
  payload: SessionEventPayload<T>,
  event: StoredEvent,
) => void;

/** Lifecycle events (`runner_*`, `agent_ready`, `turn_started` aside) have no place in the conversation. */
const handlers: { [T in SessionEventType]?: Handler<T> } = {
  session_created: (draft, payload, event) => {
    const text = `Session ${payload.name} created on branch ${payload.branch} from ${payload.baseBranch}.`;
    draft.add({ kind: 'notice', key: `created:${event.seq}`, ts: event.ts, tone: 'info', text });
  },

  status_changed: (draft, payload, event) => {
    draft.status = payload.status;
    draft.statusReason = payload.reason;
    // Running/idle flip every turn and the header shows them; only the lasting states earn a line.
    if (payload.status === 'error') {
      // Right after a failed turn's footer this only repeats it (the footer says why and offers Retry).
      const last = draft.items.at(-1);
      const repeatsFooter =
        last?.kind === 'turn_footer' &&
        last.outcome === 'failed' &&
        (payload.reason === undefined || payload.reason.trim() === last.reason?.trim());
      if (repeatsFooter) return;
      const text = `The session hit an error${payload.reason ? `: ${payload.reason}` : '.'}`;
      draft.add({ kind: 'notice', key: `status:${event.seq}`, ts: event.ts, tone: 'error', text });
    } else if (payload.status === 'archived') {
      const text = 'Session archived: its uncommitted work is saved and this transcript kept.';
      draft.add({ kind: 'notice', key: `status:${event.seq}`, ts: event.ts, tone: 'info', text });
    }
  },

  user_message: (draft, payload, event) => {
    draft.lastUserText = payload.text;
    if (payload.queued) {
      draft.queued.push({ messageId: payload.messageId, text: payload.text, ts: event.ts });
      return;
    }
    addUserItem(draft, payload.messageId, payload.text, event.ts);
  },

  turn_started: (draft, payload) => {
    draft.activeTurnId = payload.turnId;
    draft.retryKey = undefined;
    const queued = draft.queued.find((message) => message.messageId === payload.messageId);
    if (queued) {
      draft.queued = draft.queued.filter((message) => message !== queued);
      addUserItem(draft, queued.messageId, queued.text, queued.ts);
    }
  },

  messages_dropped: (draft, payload, event) => {
    const ids = new Set(payload.messageIds);
    // A message sent while every agent slot was busy is shown as sent, not queued, but it may be
    // dropped all the same: it never started.
    const texts = payload.messageIds.flatMap((messageId) => {
      const queued = draft.queued.find((message) => message.messageId === messageId);
      const shown = draft.get(`user:${messageId}`);
      return queued ? [queued.text] : shown?.kind === 'user' ? [shown.text] : [];
    });
    if (texts.length === 0) return;
    draft.queued = draft.queued.filter((message) => !ids.has(message.messageId));
    const quoted = texts.map((text) => `“${clip(text, 80)}”`).join(', ');
    const text = `Not sent: ${quoted}. ${payload.reason}`;
    draft.add({ kind: 'notice', key: `dropped:${event.seq}`, ts: event.ts, tone: 'info', text });
  },

  stream_delta: (draft, payload, event) => {
    const key = blockKey(payload.turnId, payload.messageId, payload.blockIndex);
    const existing = draft.get(key);
    if (payload.kind === 'tool_input') {
      const toolName = payload.toolName ?? '';
      if (existing?.kind === 'tool') {
        const tool = existing.tool || toolName;
        draft.replace(key, { ...existing, tool, partialInput: existing.partialInput + payload.text });
      } else if (!existing) {
        draft.add(newTool(key, payload.turnId, '', toolName, undefined, 'preparing', event.ts, payload.text));
      }
      return;
    }
    if (existing?.kind === payload.kind) {
      draft.replace(key, { ...existing, text: existing.text + payload.text });
    } else if (!existing) {
      const { turnId, messageId, blockIndex, text } = payload;
      draft.add({
        kind: payload.kind,
        key,
        ts: event.ts,
        turnId,
        messageId,
        blockIndex,
        text,
        isStreaming: true,
      });
    }
  },

  assistant_message: (draft, payload, event) => {
    const { turnId, messageId } = payload;
    payload.content.forEach((block, blockIndex) => {
      const key = blockKey(turnId, messageId, blockIndex);
      const existing = draft.get(key);
      if (block.type === 'text' || block.type === 'thinking') {
        const kind = block.type;
        const text = block.type === 'text' ? block.text : block.thinking;
        // The complete message is the truth: it replaces whatever the deltas assembled.
        if (existing?.kind === kind) draft.replace(key, { ...existing, text, isStreaming: false });
        else if (!existing && text.trim() !== '') {
          draft.add({ kind, key, ts: event.ts, turnId, messageId, blockIndex, text, isStreaming: false });
        }
      } else if (block.type === 'tool_use') {
        const toolKey = toolKeyOf(turnId, block.id);
        if (existing?.kind === 'tool') {
          draft.replace(key, { ...existing, toolUseId: block.id, tool: block.name, input: block.input });
          draft.alias(toolKey, key);
        } else if (!existing && !draft.has(toolKey)) {
          draft.add(newTool(toolKey, turnId, block.id, block.name, block.input, 'running', event.ts, ''));
        }
      }
    });
  },

  tool_use: (draft, payload, event) => {
    const key = toolKeyOf(payload.turnId, payload.id);
    const existing = draft.get(key);
    if (existing?.kind !== 'tool') {
      draft.add(
        newTool(key, payload.turnId, payload.id, payload.tool, payload.input, 'running', event.ts, ''),
      );
      return;
    }
    const state = existing.state === 'preparing' ? 'running' : existing.state;
    const startedAt = existing.state === 'preparing' ? event.ts : (existing.startedAt ?? event.ts);
    draft.replace(key, { ...existing, tool: payload.tool, input: payload.input, state, startedAt });
  },

  tool_result: (draft, payload, event) => {
    const key = toolKeyOf(payload.turnId, payload.id);
    const existing = draft.get(key);
    const state = payload.ok ? 'ok' : 'error';
    if (existing?.kind === 'tool') {
      const ended = stopWaiting(existing, event.ts);
      draft.replace(key, { ...ended, state, output: payload.output, endedAt: event.ts });
    } else {
      // A result whose call we never saw (a log from before tool_use was recorded): still show it.
      const orphan = newTool(key, payload.turnId, payload.id, 'tool', undefined, state, event.ts, '');
      draft.add({ ...orphan, output: payload.output, endedAt: event.ts });
    }
  },

  permission_requested: (draft, payload, event) => {
    const key = `permission:${payload.requestId}`;
    if (draft.has(key)) return;
    const { turnId, requestId, tool, input, reason } = payload;
    const toolKey =
      payload.toolUseId !== undefined && draft.get(toolKeyOf(turnId, payload.toolUseId))?.kind === 'tool'
        ? toolKeyOf(turnId, payload.toolUseId)
        : findAskingTool(draft, turnId, tool, input);
    const asking = toolKey === undefined ? undefined : draft.get(toolKey);
    if (toolKey && asking?.kind === 'tool') draft.replace(toolKey, { ...asking, waitingSince: event.ts });
    draft.add({
      kind: 'permission',
      key,
      ts: event.ts,
      turnId,
      requestId,
      tool,
      input,
      reason,
      state: 'pending',
      toolKey,
      decidedBy: undefined,
      message: undefined,
    });
  },

  permission_resolved: (draft, payload, event) => {
    const key = `permission:${payload.requestId}`;
    const existing = draft.get(key);
    if (existing?.kind !== 'permission') return;
    const state = payload.allow ? 'allowed' : 'denied';
    draft.replace(key, { ...existing, state, decidedBy: payload.by, message: payload.message });
    const tool = existing.toolKey === undefined ? undefined : draft.get(existing.toolKey);
    if (existing.toolKey && tool?.kind === 'tool')
      draft.replace(existing.toolKey, stopWaiting(tool, event.ts));
  },

  git_operation: (draft) => {
    draft.gitOperations += 1;
  },

  turn_ended: (draft, payload, event) => {
    draft.turnsEnded += 1;
    if (draft.activeTurnId === payload.turnId) draft.activeTurnId = undefined;
    closeOpenItems(draft, payload.turnId, event.ts);
    const key = `turn:${payload.turnId}`;
    const retryable = payload.outcome === 'failed' && payload.retryable !== false;
    draft.add({
      kind: 'turn_footer',
      key,
      ts: event.ts,
      turnId: payload.turnId,
      outcome: payload.outcome,
      reason: payload.reason,
      durationMs: payload.durationMs,
      usage: payload.usage,
      costUsd: payload.costUsd,
      retryable,
    });
    if (retryable) draft.retryKey = key;
  },

  error_reported: (draft, payload, event) => {
    const key = `error:${event.seq}`;
    const { code, message, retryable } = payload;
    draft.add({ kind: 'error', key, ts: event.ts, code, message, retryable });
    if (retryable) draft.retryKey = key;
  },

  settings_changed: (draft, payload, event) => {
    const changes: string[] = [];
    if (payload.model) changes.push(`model ${payload.model}`);
    if (payload.permissionMode) changes.push(`permission mode ${payload.permissionMode}`);
    if (changes.length === 0) return;
    const text = `Settings changed: ${changes.join(', ')}.`;
    draft.add({ kind: 'notice', key: `settings:${event.seq}`, ts: event.ts, tone: 'info', text });
  },
};

/**
 * Applies events in seq order. Idempotent: an event at or below `lastSeq` has been applied already
 * (a replay after reconnect) and is skipped, so text can never be doubled. A payload that fails its
 * schema is logged and skipped; its seq still counts so the log stays in step.
 */
export function applyEvents(
  transcript: Transcript,
  events: readonly StoredEvent[],
  logger: Pick<Console, 'warn'> = console,
): Transcript {
  if (!events.some((event) => event.seq > transcript.lastSeq)) return transcript;
  const draft = new TranscriptDraft(transcript);
  for (const event of events) {
    if (event.seq <= draft.lastSeq) continue;
    draft.lastSeq = event.seq;
    const handler = handlers[event.type] as Handler<SessionEventType> | undefined;
    if (!handler) continue;
    const parsed = SessionEventPayloads[event.type].safeParse(event.payload);
    if (!parsed.success) {
      logger.warn(
        `chatml: skipping ${event.type} #${event.seq} with an unexpected payload`,
        parsed.error.issues,
      );
      continue;
    }
    handler(draft, parsed.data as SessionEventPayload<SessionEventType>, event);
  }
  return draft.toTranscript();
}

/**
 * Keys are scoped by turn: message and tool ids are only unique within what one model endpoint
 * produced, and the demo model (like any fake API) restarts its counters with each runner process.
 */
function blockKey(turnId: string, messageId: string, blockIndex: number): string {
  return `block:${turnId}:${messageId}:${blockIndex}`;
}

function toolKeyOf(turnId: string, toolUseId: string): string {
  return `tool:${turnId}:${toolUseId}`;
}

function addUserItem(draft: TranscriptDraft, messageId: string, text: string, ts: number): void {
  const key = `user:${messageId}`;
  if (!draft.has(key)) draft.add({ kind: 'user', key, ts, messageId, text });
}

function newTool(
  key: string,
  turnId: string,
  toolUseId: string,
  tool: string,
  input: unknown,
  state: ToolItem['state'],
  ts: number,
  partialInput: string,
): ToolItem {
  const startedAt = state === 'preparing' ? undefined : ts;
  return {
    kind: 'tool',
    key,
    ts,
    turnId,
    toolUseId,
    tool,
    input,
    partialInput,
    state,
    output: '',
    startedAt,
    endedAt: undefined,
    waitedMs: 0,
    waitingSince: undefined,
  };
}

/**
 * The running call a permission request is about, for a request without the call's `toolUseId`
 * (logs from before it was recorded): the oldest unfinished call of that tool in the turn not
 * already waiting — the SDK asks about parallel calls in order — preferring one with the same
 * input (the request's input may differ in key order or filled-in defaults, so that is no proof).
 */
function findAskingTool(
  draft: TranscriptDraft,
  turnId: string,
  tool: string,
  input: unknown,
): string | undefined {
  const wanted = JSON.stringify(input);
  let oldest: string | undefined;
  let oldestSameInput: string | undefined;
  for (let position = draft.items.length - 1; position >= 0; position -= 1) {
    const item = draft.items[position];
    if (!item || item.kind === 'user') break;
    if (item.kind !== 'tool' || item.turnId !== turnId || item.tool !== tool) continue;
    if (item.endedAt !== undefined || item.waitingSince !== undefined) continue;
    oldest = item.key;
    if (JSON.stringify(item.input) === wanted) oldestSameInput = item.key;
  }
  return oldestSameInput ?? oldest;
}

function stopWaiting(tool: ToolItem, ts: number): ToolItem {
  if (tool.waitingSince === undefined) return tool;
  const waitedMs = tool.waitedMs + Math.max(0, ts - tool.waitingSince);
  return { ...tool, waitedMs, waitingSince: undefined };
}

/**
 * When a turn ends, nothing in it is still streaming or running: a tool without a result was cut
 * off (interrupt, crash). The turn's items sit after the user message that started it, so the scan
 * stops there instead of walking the whole transcript.
 */
function closeOpenItems(draft: TranscriptDraft, turnId: string, ts: number): void {
  for (let position = draft.items.length - 1; position >= 0; position -= 1) {
    const item = draft.items[position];
    if (!item || item.kind === 'user' || item.kind === 'turn_footer') return;
    if (item.kind === 'text' || item.kind === 'thinking') {
      if (item.turnId === turnId && item.isStreaming) draft.items[position] = { ...item, isStreaming: false };
    } else if (item.kind === 'tool' && item.turnId === turnId) {
      if (item.state === 'running' || item.state === 'preparing') {
        draft.items[position] = { ...stopWaiting(item, ts), state: 'cancelled', endedAt: ts };
      }
    }
  }
}
