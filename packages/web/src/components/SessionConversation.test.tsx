// @vitest-environment happy-dom
import '../test/dom';
import { render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { ConnectionState } from '../api/ws-client';
import { createServices, ServicesProvider, type TranscriptSource } from '../app/services';
import { applyEvents } from '../state/transcript';
import { emptyTranscript } from '../state/transcript-types';
import { EventLog } from '../test/event-log';
import { SessionConversation } from './SessionConversation';

function renderSession(log: EventLog, connection?: ConnectionState) {
  const services = createServices('token-for-tests');
  if (connection) vi.spyOn(services.ws, 'getState').mockReturnValue(connection);
  const snapshot = {
    transcript: applyEvents(emptyTranscript, log.events),
    isCaughtUp: true,
    error: undefined,
  };
  const source: TranscriptSource = { subscribe: () => () => undefined, getSnapshot: () => snapshot };
  render(
    <ServicesProvider services={services}>
      <SessionConversation
        source={source}
        sessionId="s1"
        worktreePath="/repo"
        statusReason={null}
        onRetry={undefined}
        followSignal={0}
      />
    </ServicesProvider>,
  );
}

describe('SessionConversation', () => {
  it('says the turn waits for your approval, not that it is working, while a permission is pending', () => {
    const log = EventLog.askedPermission();
    renderSession(log);
    const activity = screen.getByTestId('turn-activity');
    expect(activity.textContent).toContain('Waiting for your approval');
    expect(activity.textContent).not.toContain('Working');
  });

  it('says the agent is working once the answer is in', () => {
    const log = EventLog.askedPermission();
    log.add('permission_resolved', { requestId: 'r1', allow: true, by: 'user' });
    renderSession(log);
    expect(screen.getByTestId('turn-activity').textContent).toContain('Working…');
  });

  it('stops claiming to know what the agent does while the backend is unreachable', () => {
    const log = EventLog.askedPermission();
    log.add('permission_resolved', { requestId: 'r1', allow: true, by: 'user' });
    renderSession(log, 'reconnecting');
    const activity = screen.getByTestId('turn-activity');
    expect(activity.textContent).toContain('Not connected');
    expect(activity.textContent).not.toContain('Working');
  });
});
