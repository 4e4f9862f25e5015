import { EventsResponse, parseEventPayload, Session, type StoredEvent } from '@chatml/protocol';
import { type ApiClient, ApiError, type Schema } from '../api-client.js';
import { CliError } from './cli-error.js';

export interface TurnResult {
  outcome: 'completed' | 'failed' | 'interrupted';
  reason?: string;
  /** The assistant's text in this turn, as streamed. */
  text: string;
}

/**
 * Follow a session's event log from `afterSeq` until the turn of `messageId` (or, without one, the
 * first turn that starts) ends. Streamed text goes to `onText` as it arrives. Polls the events
 * endpoint: a cursor by seq makes it exact across any hiccup, which is what a script wants.
 */
export async function waitForTurn(
  api: ApiClient,
  sessionId: string,
  options: {
    afterSeq: number;
    messageId?: string;
    onText?: (text: string) => void;
    onNotice?: (text: string) => void;
    pollMs?: number;
    /** How long the backend may be unreachable (a restart) before giving up. */
    reconnectMs?: number;
  },
): Promise<TurnResult> {
  let cursor = options.afterSeq;
  let turnId: string | undefined;
  let text = '';
  let unreachableSince: number | undefined;
  /** A GET that rides out a backend restart (`chatml start` brings it back on the same port). */
  const get = async <T>(schema: Schema<T>, path: string): Promise<T> => {
    for (;;) {
      try {
        const answer = await api.get(schema, path);
        if (unreachableSince !== undefined) options.onNotice?.('the backend is back; following the turn');
        unreachableSince = undefined;
        return answer;
      } catch (error) {
        if (!(error instanceof ApiError) || error.code !== 'unreachable') throw error;
        const now = Date.now();
        if (unreachableSince === undefined) {
          unreachableSince = now;
          options.onNotice?.('the backend is not answering (restarting?); waiting for it');
        }
        if (now - unreachableSince > (options.reconnectMs ?? 15_000)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  };
  for (;;) {
    const page = await get(EventsResponse, `/sessions/${sessionId}/events?after=${cursor}&limit=1000`);
    for (const event of page.events) {
      cursor = event.seq;
      const ended = followEvent(event);
      if (ended) return { ...ended, text };
    }
    if (page.events.length === 0) {
      const session = await get(Session, `/sessions/${sessionId}`);
      if (session.status === 'archived') throw new CliError(`Session ${session.name} was archived.`);
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 200));
    }
  }

  function followEvent(event: StoredEvent): Omit<TurnResult, 'text'> | undefined {
    switch (event.type) {
      case 'turn_started': {
        const payload = parseEventPayload('turn_started', event.payload);
        if (!turnId && (!options.messageId || payload.messageId === options.messageId))
          turnId = payload.turnId;
        return undefined;
      }
      case 'stream_delta': {
        const payload = parseEventPayload('stream_delta', event.payload);
        if (payload.turnId === turnId && payload.kind === 'text') {
          text += payload.text;
          options.onText?.(payload.text);
        }
        return undefined;
      }
      case 'permission_requested': {
        const payload = parseEventPayload('permission_requested', event.payload);
        if (payload.turnId === turnId)
          options.onNotice?.(
            `waiting for your permission to use ${payload.tool}: answer in the app (the turn goes on after that)`,
          );
        return undefined;
      }
      case 'turn_ended': {
        const payload = parseEventPayload('turn_ended', event.payload);
        if (payload.turnId !== turnId) return undefined;
        return { outcome: payload.outcome, reason: payload.reason };
      }
      default:
        return undefined;
    }
  }
}
