import type { NewSessionEvent, RunnerCommand, SessionStatus } from '@chatml/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../errors.js';
import { PermissionRequests } from './permission-requests.js';

let published: NewSessionEvent[];
let statuses: SessionStatus[];
let sent: RunnerCommand[];
let permissions: PermissionRequests;
const runner = { send: (command: RunnerCommand) => sent.push(command) };

beforeEach(() => {
  published = [];
  statuses = [];
  sent = [];
  permissions = new PermissionRequests({
    sessionId: 'ses_1',
    publish: (event) => published.push(event),
    setStatus: (status) => statuses.push(status),
  });
});

const ask = (requestId: string) =>
  permissions.add({
    type: 'permission_request',
    session: 'ses_1',
    turnId: 'turn_1',
    requestId,
    tool: 'Bash',
    input: { command: 'ls' },
  });
const resolutions = () => published.filter((event) => event.type === 'permission_resolved');

describe('PermissionRequests', () => {
  it('logs a request and puts the session in waiting_permission', () => {
    ask('req_1');
    expect(published).toEqual([
      {
        type: 'permission_requested',
        payload: { turnId: 'turn_1', requestId: 'req_1', tool: 'Bash', input: { command: 'ls' } },
      },
    ]);
    expect(statuses).toEqual(['waiting_permission']);
  });

  it('sends the answer to the runner and returns to running once no request is left', () => {
    ask('req_1');
    ask('req_2');
    permissions.answer('req_1', { allow: true }, runner);
    expect(sent).toEqual([
      { type: 'permission_response', session: 'ses_1', requestId: 'req_1', allow: true },
    ]);
    expect(statuses.at(-1)).toBe('waiting_permission');
    permissions.answer('req_2', { allow: false, message: 'no' }, runner);
    expect(resolutions().map((event) => event.payload)).toEqual([
      { requestId: 'req_1', allow: true, message: undefined, by: 'user' },
      { requestId: 'req_2', allow: false, message: 'no', by: 'user' },
    ]);
    expect(statuses.at(-1)).toBe('running');
  });

  it('refuses an answer to an unknown request, an answered one, or one whose runner is gone', () => {
    expect(() => permissions.answer('req_1', { allow: true }, runner)).toThrow(NotFoundError);
    ask('req_1');
    expect(() => permissions.answer('req_1', { allow: true }, null)).toThrow(NotFoundError);
    permissions.answer('req_1', { allow: true }, runner);
    // A second answer (another tab, a double click) is told the request is settled: 409, not 404.
    expect(() => permissions.answer('req_1', { allow: false }, runner)).toThrow(
      new ConflictError('This permission request was already answered (or withdrawn).'),
    );
    expect(sent).toHaveLength(1);
  });

  it('resolves a withdrawn request once, ignoring one already answered', () => {
    ask('req_1');
    permissions.cancel('req_1', 'tool call aborted');
    permissions.cancel('req_1', 'tool call aborted');
    expect(resolutions().map((event) => event.payload)).toEqual([
      { requestId: 'req_1', allow: false, message: 'tool call aborted', by: 'system' },
    ]);
    expect(statuses).toEqual(['waiting_permission', 'running']);
  });

  it('expires every pending request when the turn ends, leaving the status to the turn', () => {
    ask('req_1');
    ask('req_2');
    permissions.expireAll();
    expect(resolutions().map((event) => event.payload)).toEqual(
      ['req_1', 'req_2'].map((requestId) => ({
        requestId,
        allow: false,
        message: 'The turn ended before an answer.',
        by: 'system',
      })),
    );
    expect(statuses.at(-1)).toBe('waiting_permission');
    expect(() => permissions.answer('req_1', { allow: true }, runner)).toThrow(ConflictError);
  });
});
