import type { SessionEventType, StoredEvent } from '@chatml/protocol';

/** An event as the store reads it back: the payload still the JSON it was stored as. */
export interface EventRow {
  seq: number;
  type: SessionEventType;
  ts: number;
  payload: string;
}

export function toEvent(row: EventRow): StoredEvent {
  return { seq: row.seq, type: row.type, ts: row.ts, payload: JSON.parse(row.payload) };
}

/** A StoredEvent's JSON, spliced around the payload JSON the row already holds (no re-encoding). */
export function encodeStored(seq: number, type: string, ts: number, payloadJson: string): string {
  return `{"seq":${seq},"type":${JSON.stringify(type)},"ts":${ts},"payload":${payloadJson}}`;
}

/** A stored event as JSON, ready to splice into a frame. */
export interface EncodedEvent {
  seq: number;
  json: string;
}

/**
 * Events that are conversation activity — what the user would call news in a session: their own
 * messages, the agent's output and tool calls, questions for them, turn ends and errors. The rest is
 * bookkeeping (runner started/stopped, agent ready, status changes, a queued turn starting, a prompt
 * resolved by the backend, settings, git operations the user ran): a backend restart appends some
 * of those to every session, and must not make them look unread. See `activitySeq`.
 */
export const ACTIVITY_EVENT_TYPES: ReadonlySet<SessionEventType> = new Set<SessionEventType>([
  'user_message',
  'stream_delta',
  'assistant_message',
  'tool_use',
  'tool_result',
  'permission_requested',
  'turn_ended',
  'error_reported',
]);
export const ACTIVITY_TYPES_SQL = [...ACTIVITY_EVENT_TYPES].map((type) => `'${type}'`).join(', ');
