import type { StoredEvent } from '@chatml/protocol';
import { describe, expect, it } from 'vitest';
import { type ApiClient, ApiError } from '../src/api-client.js';
import { waitForTurn } from '../src/commands/wait-for-turn.js';

const unreachable = () => new ApiError('unreachable', 'Cannot reach the ChatML backend (ECONNREFUSED).', 0);

/** An ApiClient whose GETs answer from a script: an error to throw, or the events page/session. */
function scriptedApi(answers: (Error | StoredEvent[])[]): ApiClient {
  return {
    get: async (_schema: unknown, path: string) => {
      if (path.includes('/events')) {
        const next = answers.shift() ?? [];
        if (next instanceof Error) throw next;
        return { events: next };
      }
      return { status: 'running', name: 's' };
    },
  } as unknown as ApiClient;
}

const event = (seq: number, type: string, payload: unknown): StoredEvent =>
  ({ seq, type, ts: seq, payload }) as StoredEvent;

describe('waitForTurn', () => {
  it('rides out a backend restart and picks up from its cursor, missing nothing', async () => {
    const notices: string[] = [];
    const result = await waitForTurn(
      scriptedApi([
        [event(1, 'turn_started', { turnId: 't1', messageId: 'm1' })],
        unreachable(),
        unreachable(),
        [
          event(2, 'stream_delta', { turnId: 't1', messageId: 'x', blockIndex: 0, kind: 'text', text: 'Hi' }),
          event(3, 'turn_ended', { turnId: 't1', outcome: 'completed' }),
        ],
      ]),
      'ses_1',
      { afterSeq: 0, messageId: 'm1', pollMs: 1, onNotice: (text) => notices.push(text) },
    );
    expect(result).toMatchObject({ outcome: 'completed', text: 'Hi' });
    expect(notices).toEqual([
      'the backend is not answering (restarting?); waiting for it',
      'the backend is back; following the turn',
    ]);
  });

  it('gives up with a clear error when the backend stays away', async () => {
    const answers = Array.from({ length: 100 }, unreachable);
    await expect(
      waitForTurn(scriptedApi(answers), 'ses_1', { afterSeq: 0, pollMs: 1, reconnectMs: 300 }),
    ).rejects.toThrow('Cannot reach the ChatML backend');
  });
});
