import type { SessionStatus, Usage } from '@chatml/protocol';

/**
 * The conversation as the UI shows it, rebuilt from a session's event log. Items are immutable: a
 * change replaces the item object, so memoised rows re-render only when their own item changed.
 */
export type TranscriptItem =
  | UserItem
  | TextItem
  | ThinkingItem
  | ToolItem
  | PermissionItem
  | TurnFooterItem
  | ErrorItem
  | NoticeItem;

interface ItemBase {
  /** Stable across updates and replays; the list's React key. */
  key: string;
  ts: number;
}

export interface UserItem extends ItemBase {
  kind: 'user';
  messageId: string;
  text: string;
}

export interface TextItem extends ItemBase {
  kind: 'text';
  turnId: string;
  messageId: string;
  blockIndex: number;
  text: string;
  /** Still assembling from deltas; false once `assistant_message` confirmed it or the turn ended. */
  isStreaming: boolean;
}

export interface ThinkingItem extends ItemBase {
  kind: 'thinking';
  turnId: string;
  messageId: string;
  blockIndex: number;
  text: string;
  isStreaming: boolean;
}

/** `preparing`: its input is still streaming; `cancelled`: the turn ended before a result came. */
export type ToolState = 'preparing' | 'running' | 'ok' | 'error' | 'cancelled';

export interface ToolItem extends ItemBase {
  kind: 'tool';
  turnId: string;
  /** The tool_use id; empty while the input is still streaming and the id is not known yet. */
  toolUseId: string;
  tool: string;
  input: unknown;
  /** Raw JSON text of the input while it streams (before `tool_use` delivers it parsed). */
  partialInput: string;
  state: ToolState;
  output: string;
  startedAt: number | undefined;
  endedAt: number | undefined;
  /**
   * Time spent waiting for the user to answer this call's permission requests (answered ones), and
   * when the pending one was asked: the user's thinking time is not the tool's running time.
   */
  waitedMs: number;
  waitingSince: number | undefined;
}

export interface PermissionItem extends ItemBase {
  kind: 'permission';
  turnId: string;
  requestId: string;
  tool: string;
  input: unknown;
  reason: string | undefined;
  state: 'pending' | 'allowed' | 'denied';
  /** The tool call it asks about, when it could be matched (the request carries no tool_use id). */
  toolKey: string | undefined;
  decidedBy: 'user' | 'system' | undefined;
  message: string | undefined;
}

export interface TurnFooterItem extends ItemBase {
  kind: 'turn_footer';
  turnId: string;
  outcome: 'completed' | 'failed' | 'interrupted';
  reason: string | undefined;
  durationMs: number | undefined;
  usage: Usage | undefined;
  costUsd: number | undefined;
  retryable: boolean;
}

export interface ErrorItem extends ItemBase {
  kind: 'error';
  code: string;
  message: string;
  retryable: boolean;
}

/** Quiet one-liners: the session was created, settings changed, the session errored or was archived. */
export interface NoticeItem extends ItemBase {
  kind: 'notice';
  tone: 'info' | 'error';
  text: string;
}

export interface QueuedMessage {
  messageId: string;
  text: string;
  ts: number;
}

export interface Transcript {
  /** The highest seq applied; anything at or below it is a replay and is ignored. */
  lastSeq: number;
  items: readonly TranscriptItem[];
  /** Accepted messages waiting for their turn; they join `items` when their turn starts. */
  queued: readonly QueuedMessage[];
  status: SessionStatus | undefined;
  statusReason: string | undefined;
  activeTurnId: string | undefined;
  /** The last message the user sent, for Retry. */
  lastUserText: string | undefined;
  /** The single failure that offers Retry (the latest retryable error or failed turn), if any. */
  retryKey: string | undefined;
  /** Counts `turn_ended` events, so views can refresh (e.g. the changes list) when a turn ends. */
  turnsEnded: number;
  /** Counts `git_operation` events (commit, sync, merge, restore…): the worktree's state moved. */
  gitOperations: number;
  /** Index of each item by key, plus aliases (`tool:<turnId>:<id>`) for streamed tool blocks. */
  index: ReadonlyMap<string, number>;
}

export const emptyTranscript: Transcript = {
  lastSeq: 0,
  items: [],
  queued: [],
  status: undefined,
  statusReason: undefined,
  activeTurnId: undefined,
  lastUserText: undefined,
  retryKey: undefined,
  turnsEnded: 0,
  gitOperations: 0,
  index: new Map(),
};
