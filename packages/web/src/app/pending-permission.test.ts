// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { makeSession } from '../test/sessions';
import { focusPermissionWhenShown, focusShownPermission, nextWaitingSession } from './pending-permission';

const waiting = (id: string, workspaceId = 'ws_1') =>
  makeSession(id, { status: 'waiting_permission', workspaceId });

function allowButton(): HTMLButtonElement {
  const button = document.createElement('button');
  button.dataset.testid = 'permission-allow';
  document.body.append(button);
  return button;
}

const frames = (count: number) =>
  new Promise<void>((resolve) => {
    const step = (left: number) => (left === 0 ? resolve() : requestAnimationFrame(() => step(left - 1)));
    step(count);
  });

afterEach(() => {
  document.body.innerHTML = '';
});

describe('Alt+P: the permission request waiting for you', () => {
  it('goes to the listed workspace’s first waiting session, else to one in another workspace', () => {
    const listed = [makeSession('a'), waiting('b'), waiting('c')];
    const elsewhere = waiting('z', 'ws_2');
    const all = [...listed, elsewhere];
    expect(nextWaitingSession('a', listed, all)?.id).toBe('b');
    // The session on screen showed no request (or it was just answered): another one is next.
    expect(nextWaitingSession('b', listed, all)?.id).toBe('c');
    expect(nextWaitingSession('a', [makeSession('a')], all)?.id).toBe('b');
    expect(nextWaitingSession(undefined, [], [elsewhere])?.id).toBe('z');
    expect(nextWaitingSession('a', [makeSession('a')], [makeSession('a')])).toBeUndefined();
  });

  it('focuses the request on screen at once', () => {
    expect(focusShownPermission()).toBe(false);
    const allow = allowButton();
    expect(focusShownPermission()).toBe(true);
    expect(document.activeElement).toBe(allow);
  });

  it('focuses the request of the session just opened once it shows', async () => {
    focusPermissionWhenShown();
    await frames(3);
    const allow = allowButton(); // the transcript arrived
    await frames(3);
    expect(document.activeElement).toBe(allow);
  });

  it('leaves the focus alone once the user has moved it', async () => {
    focusPermissionWhenShown();
    const input = document.createElement('input');
    document.body.append(input);
    input.focus();
    allowButton();
    await frames(3);
    expect(document.activeElement).toBe(input);
  });
});
