import { parseEventPayload } from '@chatml/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedSessions } from '../../test/store/seed.js';
import { Hub } from '../hub/hub.js';
import { silentLogger } from '../logger.js';
import { type Database, EventStore, openDatabase, type SessionStore } from '../store/index.js';
import { recoverSession } from './session-recovery.js';

describe('recoverSession', () => {
  let db: Database;
  let events: EventStore;
  let sessions: SessionStore;
  let hub: Hub;

  beforeEach(() => {
    db = openDatabase(':memory:', silentLogger);
    sessions = seedSessions(db, ['s1']);
    events = new EventStore(db);
    hub = new Hub(events, () => true, { logger: silentLogger });
  });
  afterEach(() => {
    events.close();
    db.close();
  });

  const start = (turnId: string, messageId: string) => {
    hub.publish('s1', { type: 'user_message', payload: { messageId, text: turnId, queued: false } });
    hub.publish('s1', { type: 'turn_started', payload: { turnId, messageId } });
  };

  it('ends every turn left open, the one a crash cut short and one whose end was never stored', () => {
    start('t1', 'm1'); // its turn_ended was lost (the journal could not be written then)
    start('t2', 'm2');
    hub.publish('s1', { type: 'turn_ended', payload: { turnId: 't2', outcome: 'completed' } });
    start('t3', 'm3'); // running when ChatML stopped
    const record = sessions.update('s1', { status: 'running' });

    const { record: recovered, unstarted } = recoverSession(record, { hub, events, sessions });
    const ended = events
      .ofTypes('s1', ['turn_ended'])
      .map((event) => parseEventPayload('turn_ended', event.payload));
    expect(ended.map((payload) => [payload.turnId, payload.outcome])).toEqual([
      ['t2', 'completed'],
      ['t1', 'interrupted'],
      ['t3', 'interrupted'],
    ]);
    expect(ended[1]?.reason).toContain('never recorded');
    expect(ended[2]?.reason).toContain('ChatML stopped while this turn was running');
    expect(unstarted).toEqual([]);
    // Once more: nothing is left to close.
    recoverSession(recovered, { hub, events, sessions });
    expect(events.ofTypes('s1', ['turn_ended'])).toHaveLength(3);
  });

  it('hands back accepted messages that never started, in order, but not the dropped ones', () => {
    start('t1', 'm1');
    hub.publish('s1', { type: 'turn_ended', payload: { turnId: 't1', outcome: 'completed' } });
    for (const messageId of ['m2', 'm3', 'm4'])
      hub.publish('s1', { type: 'user_message', payload: { messageId, text: messageId, queued: true } });
    hub.publish('s1', {
      type: 'messages_dropped',
      payload: { messageIds: ['m3'], reason: 'Cancelled by you.' },
    });
    const record = sessions.update('s1', { status: 'idle' });

    const { unstarted } = recoverSession(record, { hub, events, sessions });
    expect(unstarted).toEqual([
      { messageId: 'm2', text: 'm2' },
      { messageId: 'm4', text: 'm4' },
    ]);
  });
});
