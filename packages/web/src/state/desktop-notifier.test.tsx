import type { ServerFrame, Session } from '@chatml/protocol';
import { describe, expect, it } from 'vitest';
import { makeSession } from '../test/sessions';
import {
  DesktopNotifier,
  type NotificationApi,
  type NotificationMessage,
  type NotifierContext,
  notificationFor,
} from './desktop-notifier';

const hidden: NotifierContext = { isPageHidden: true, shownSessionId: undefined };
const lookingAt = (id: string): NotifierContext => ({ isPageHidden: false, shownSessionId: id });

describe('notificationFor', () => {
  it('asks for attention when a session needs approval, unless the user is looking at it', () => {
    const asking = makeSession('s1', { name: 'fixer', status: 'waiting_permission' });
    expect(notificationFor('running', asking, hidden)?.title).toBe('fixer needs your approval');
    expect(notificationFor('running', asking, lookingAt('other'))?.title).toBe('fixer needs your approval');
    expect(notificationFor('running', asking, lookingAt('s1'))).toBeUndefined();
  });

  it('tells about a finished or failed turn only while the page is hidden', () => {
    const done = makeSession('s1', { name: 'fixer', status: 'idle' });
    expect(notificationFor('running', done, hidden)).toMatchObject({
      title: 'fixer finished',
      tag: 'chatml:s1',
    });
    expect(notificationFor('running', done, lookingAt('other'))).toBeUndefined();
    const failed = makeSession('s1', { name: 'fixer', status: 'error', statusReason: 'API overloaded' });
    expect(notificationFor('running', failed, hidden)).toMatchObject({
      title: 'fixer failed',
      body: 'API overloaded',
    });
  });

  it('stays quiet for everything else', () => {
    expect(notificationFor(undefined, makeSession('s1', { status: 'idle' }), hidden)).toBeUndefined();
    expect(notificationFor('idle', makeSession('s1', { status: 'idle' }), hidden)).toBeUndefined();
    expect(notificationFor('creating', makeSession('s1', { status: 'idle' }), hidden)).toBeUndefined();
    expect(notificationFor('idle', makeSession('s1', { status: 'running' }), hidden)).toBeUndefined();
    expect(notificationFor('idle', makeSession('s1', { status: 'archived' }), hidden)).toBeUndefined();
  });
});

/** The browser's Notification API as the notifier sees it, recording what it was asked to show. */
function recordingApi(permission: NotificationPermission) {
  const shown: { message: NotificationMessage; click: () => void }[] = [];
  let requests = 0;
  const api: NotificationApi & { permission: NotificationPermission } = {
    permission,
    requestPermission: async () => {
      requests += 1;
      api.permission = 'granted';
      return 'granted';
    },
    show: (message, click) => shown.push({ message, click }),
  };
  return { api, shown, requests: () => requests };
}

const updated = (session: Session): ServerFrame => ({ type: 'session_updated', session });

describe('DesktopNotifier', () => {
  function setup(options: { permission?: NotificationPermission; isEnabled?: boolean } = {}) {
    const browser = recordingApi(options.permission ?? 'granted');
    const opened: string[] = [];
    const notifier = new DesktopNotifier({
      api: browser.api,
      isEnabled: () => options.isEnabled ?? true,
      context: () => hidden,
      onOpen: (session) => opened.push(session.id),
    });
    notifier.noteSessions([makeSession('s1', { name: 'fixer', status: 'idle' })]);
    return { notifier, browser, opened };
  }

  it('shows a notification for a status change that deserves one, and opens the session on click', () => {
    const { notifier, browser, opened } = setup();
    notifier.handleFrame(updated(makeSession('s1', { name: 'fixer', status: 'running' })));
    expect(browser.shown).toHaveLength(0);
    notifier.handleFrame(updated(makeSession('s1', { name: 'fixer', status: 'waiting_permission' })));
    expect(browser.shown.map((entry) => entry.message.title)).toEqual(['fixer needs your approval']);
    browser.shown[0]?.click();
    expect(opened).toEqual(['s1']);
  });

  it('shows nothing unless the user turned notifications on and the browser granted them', () => {
    for (const options of [
      { isEnabled: false },
      { permission: 'default' as const },
      { permission: 'denied' as const },
    ]) {
      const { notifier, browser } = setup(options);
      notifier.handleFrame(updated(makeSession('s1', { name: 'fixer', status: 'waiting_permission' })));
      expect(browser.shown).toHaveLength(0);
    }
  });

  it('asks the browser for permission only when told to, never by itself', async () => {
    const { notifier, browser } = setup({ permission: 'default' });
    notifier.handleFrame(updated(makeSession('s1', { status: 'running' })));
    expect(browser.requests()).toBe(0);
    expect(await notifier.requestPermission()).toBe('granted');
    expect(browser.requests()).toBe(1);
  });

  it('reports a browser without notifications as unsupported', async () => {
    const notifier = new DesktopNotifier({
      api: undefined,
      isEnabled: () => true,
      context: () => hidden,
      onOpen: () => undefined,
    });
    expect(notifier.permission).toBe('unsupported');
    expect(await notifier.requestPermission()).toBe('unsupported');
    notifier.handleFrame(updated(makeSession('s1', { status: 'waiting_permission' })));
  });
});
