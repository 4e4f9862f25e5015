import { z } from 'zod';
import { Session, Workspace } from './api.js';
import { PullRequestUpdatedFrame } from './forge-api.js';
import { StoredEvent } from './session-events.js';
import { EditableSettings } from './settings-api.js';

/**
 * WebSocket `/ws` frames, one JSON object per text message. A client subscribes to a session with the
 * last seq it has; the server sends every stored event after it, then live ones, in order, with no gap
 * and no duplicate.
 */

export const ClientFrame = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('subscribe'),
    sessionId: z.string().min(1),
    afterSeq: z.number().int().nonnegative(),
  }),
  z.object({ type: z.literal('unsubscribe'), sessionId: z.string().min(1) }),
  z.object({ type: z.literal('ping'), nonce: z.string().max(100).optional() }),
]);
export type ClientFrame = z.output<typeof ClientFrame>;

export const ServerFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), protocolVersion: z.number().int(), serverVersion: z.string() }),
  z.object({
    type: z.literal('event'),
    sessionId: z.string(),
    seq: z.number().int().positive(),
    event: StoredEvent,
  }),
  /**
   * Several consecutive events of one session (seqs ascending, no gap): a page of replay, or what
   * was stored in one flush under load. Same meaning as that many `event` frames.
   */
  z.object({
    type: z.literal('events'),
    sessionId: z.string(),
    events: z.array(StoredEvent).min(1),
  }),
  /** Replay has reached the live edge: everything up to `lastSeq` has been sent. */
  z.object({ type: z.literal('subscribed'), sessionId: z.string(), lastSeq: z.number().int().nonnegative() }),
  /**
   * The client fell too far behind (its queue overflowed); the server dropped its subscription.
   * Subscribe again with `afterSeq` to catch up from the store; nothing is lost.
   */
  z.object({
    type: z.literal('resubscribe'),
    sessionId: z.string(),
    afterSeq: z.number().int().nonnegative(),
    reason: z.string(),
  }),
  z.object({ type: z.literal('session_updated'), session: Session }),
  z.object({ type: z.literal('session_deleted'), sessionId: z.string() }),
  z.object({ type: z.literal('workspace_updated'), workspace: Workspace }),
  z.object({ type: z.literal('workspace_deleted'), workspaceId: z.string() }),
  z.object({ type: z.literal('pong'), nonce: z.string().optional() }),
  /** The Settings screen's defaults changed (in any tab): every client shows them. */
  z.object({ type: z.literal('settings_updated'), settings: EditableSettings }),
  PullRequestUpdatedFrame,
  z.object({
    type: z.literal('error'),
    code: z.string(),
    message: z.string(),
    sessionId: z.string().optional(),
  }),
]);
export type ServerFrame = z.output<typeof ServerFrame>;

/** The session events a frame carries, oldest first (none for frames that are not events). */
export function eventsOfFrame(frame: ServerFrame): StoredEvent[] {
  if (frame.type === 'event') return [frame.event];
  if (frame.type === 'events') return frame.events;
  return [];
}

/** The subprotocol a browser offers alongside `chatml.token.<token>` on the WS upgrade. */
export const WS_PROTOCOL = 'chatml.v1';
export const WS_TOKEN_PREFIX = 'chatml.token.';
