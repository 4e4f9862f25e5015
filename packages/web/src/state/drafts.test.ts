import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeSession, makeWorkspace, memoryStorage } from '../test/sessions';
import { emptyCatalog, withSessionList, withWorkspaces } from './catalog';
import { CatalogStore } from './catalog-store';
import {
  type DraftStorage,
  DraftStore,
  isDraftOrphaned,
  newSessionDraftKey,
  pruneDraftsAsListsLoad,
  saveDraftsWhenPageHides,
  sessionDraftKey,
} from './drafts';

/** A clock the test moves, so "older" and "later" do not depend on how fast the test runs. */
function clock(start = 1_000) {
  let time = start;
  return {
    now: () => time,
    tick: (ms = 1) => {
      time += ms;
    },
  };
}

const A = sessionDraftKey('ws_1', 'ses_a');
const B = sessionDraftKey('ws_1', 'ses_b');
const C = sessionDraftKey('ws_1', 'ses_c');

afterEach(() => vi.useRealTimers());

describe('DraftStore', () => {
  it('writes storage a moment after typing stops, not on every keystroke', () => {
    vi.useFakeTimers();
    const storage = memoryStorage();
    const setItem = vi.spyOn(storage, 'setItem');
    const drafts = new DraftStore(storage);
    for (const text of ['h', 'he', 'hel', 'hell', 'hello']) {
      drafts.setText(A, text);
      vi.advanceTimersByTime(100);
    }
    expect(setItem).not.toHaveBeenCalled();
    vi.advanceTimersByTime(500);
    expect(setItem).toHaveBeenCalledOnce();
    expect(new DraftStore(storage).text(A)).toBe('hello');
  });

  it('gives a new page (a reload) the stored draft, and forgets an emptied one', () => {
    const storage = memoryStorage();
    const drafts = new DraftStore(storage);
    drafts.setText(A, 'half a thought');
    drafts.flush();
    expect(new DraftStore(storage).text(A)).toBe('half a thought');
    drafts.setText(A, '');
    drafts.flush();
    expect(storage.data.size).toBe(0);
    expect(new DraftStore(storage).text(A)).toBe('');
  });

  it('keeps a message on its way in the stored draft until the backend accepts it', () => {
    const storage = memoryStorage();
    const drafts = new DraftStore(storage);
    drafts.hold(A, 'sent');
    drafts.setText(A, 'next');
    drafts.flush();
    // A reload now cannot know whether the message arrived: the text is kept rather than lost.
    expect(new DraftStore(storage).text(A)).toBe('sent\n\nnext');
    // This page still waits for the answer: the box shows only what was typed since.
    expect(drafts.text(A)).toBe('next');
    drafts.release(A, 'sent');
    drafts.flush();
    expect(new DraftStore(storage).text(A)).toBe('next');
  });

  it('puts refused messages back before what was typed since, and tells the box showing it', () => {
    const drafts = new DraftStore(memoryStorage());
    const heard = vi.fn();
    drafts.listen(A, heard);
    drafts.hold(A, 'first');
    drafts.setText(A, 'typed');
    drafts.giveBack(A, ['first'], 'The backend is unreachable.');
    expect(drafts.text(A)).toBe('first\n\ntyped');
    expect(heard).toHaveBeenCalledWith(['first'], 'The backend is unreachable.');
  });

  it('lets the later change win between two tabs, and writes nothing for a draft only opened', () => {
    const time = clock();
    const storage = memoryStorage();
    const first = new DraftStore(storage, time);
    first.setText(A, 'from the first tab');
    first.flush();
    time.tick();
    const second = new DraftStore(storage, time);
    // The second tab opens the session (and another one) and leaves: the first tab's draft stays.
    expect(second.text(A)).toBe('from the first tab');
    second.setText(A, second.text(A));
    second.setText(B, '');
    second.flush();
    expect(new DraftStore(storage).text(A)).toBe('from the first tab');
    expect(storage.data.size).toBe(1);
    // Then the second tab types: the first tab sees that when it opens the session again.
    time.tick();
    second.setText(A, 'from the second tab');
    second.flush();
    expect(first.text(A)).toBe('from the second tab');
  });

  it('keeps drafts in memory when storage is unavailable or full', () => {
    const unavailable: DraftStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('SecurityError');
      },
      removeItem: () => {
        throw new Error('SecurityError');
      },
      key: () => {
        throw new Error('SecurityError');
      },
      get length(): number {
        throw new Error('SecurityError');
      },
    };
    const full = memoryStorage();
    full.setItem = () => {
      throw new DOMException('quota', 'QuotaExceededError');
    };
    for (const storage of [unavailable, full, null]) {
      const drafts = new DraftStore(storage);
      drafts.setText(A, 'still here');
      expect(() => drafts.flush()).not.toThrow();
      expect(drafts.text(A)).toBe('still here');
    }
  });

  it('keeps the stored drafts under the size cap, dropping the oldest first', () => {
    const time = clock();
    const storage = memoryStorage();
    const drafts = new DraftStore(storage, { ...time, maxStoredChars: 400 });
    for (const key of [A, B]) {
      drafts.setText(key, `${key} `.padEnd(80, 'x'));
      drafts.flush();
      time.tick();
    }
    drafts.setText(C, 'y'.repeat(150));
    drafts.flush();
    const stored = new DraftStore(storage);
    expect(stored.text(A)).toBe('');
    expect(stored.text(B)).toMatch(/^session:ws_1:ses_b x+$/);
    expect(stored.text(C)).toBe('y'.repeat(150));
    const total = [...storage.data].reduce((sum, [key, value]) => sum + key.length + value.length, 0);
    expect(total).toBeLessThanOrEqual(400);
    // This page still has the dropped draft.
    expect(drafts.text(A)).toMatch(/^session:ws_1:ses_a x+$/);
  });

  it('does not store a draft bigger than the cap, nor leave an older copy of it to come back', () => {
    const storage = memoryStorage();
    const drafts = new DraftStore(storage, { maxStoredChars: 300 });
    drafts.setText(A, 'short');
    drafts.flush();
    drafts.setText(A, 'z'.repeat(400));
    drafts.flush();
    expect(new DraftStore(storage).text(A)).toBe('');
    expect(drafts.text(A)).toBe('z'.repeat(400));
  });

  it('forgets pruned drafts here and in storage', () => {
    const storage = memoryStorage();
    const drafts = new DraftStore(storage);
    drafts.setText(A, 'keep');
    drafts.setText(B, 'drop');
    drafts.flush();
    drafts.prune((key) => key !== B);
    expect(drafts.text(B)).toBe('');
    expect(new DraftStore(storage).text(B)).toBe('');
    expect(new DraftStore(storage).text(A)).toBe('keep');
  });
});

describe('saveDraftsWhenPageHides', () => {
  /** A page the test hides and closes: what the listeners see of `window` and `document`. */
  function fakePage() {
    const document = Object.assign(new EventTarget(), {
      visibilityState: 'visible' as DocumentVisibilityState,
    });
    return { window: new EventTarget(), document };
  }

  it('writes what was typed in the last moment before a reload or a closed tab', () => {
    vi.useFakeTimers();
    const storage = memoryStorage();
    const drafts = new DraftStore(storage);
    const page = fakePage();
    saveDraftsWhenPageHides(drafts, page);
    drafts.setText(A, 'typed just before the reload');
    page.window.dispatchEvent(new Event('pagehide'));
    // No timer ran: the page that reloads next finds it stored.
    expect(new DraftStore(storage).text(A)).toBe('typed just before the reload');
  });

  it('writes it when the page is hidden (a tab switched away from), not when it is shown', () => {
    vi.useFakeTimers();
    const storage = memoryStorage();
    const drafts = new DraftStore(storage);
    const page = fakePage();
    saveDraftsWhenPageHides(drafts, page);
    drafts.setText(A, 'typed before switching tabs');
    page.document.dispatchEvent(new Event('visibilitychange'));
    expect(storage.data.size).toBe(0);
    page.document.visibilityState = 'hidden';
    page.document.dispatchEvent(new Event('visibilitychange'));
    expect(new DraftStore(storage).text(A)).toBe('typed before switching tabs');
  });

  it('stops listening when told to', () => {
    vi.useFakeTimers();
    const storage = memoryStorage();
    const drafts = new DraftStore(storage);
    const page = fakePage();
    saveDraftsWhenPageHides(drafts, page)();
    drafts.setText(A, 'not written by a listener');
    page.window.dispatchEvent(new Event('pagehide'));
    expect(storage.data.size).toBe(0);
  });
});

describe('isDraftOrphaned', () => {
  const loaded = withSessionList(withWorkspaces(emptyCatalog, [makeWorkspace()]), 'ws_1', [
    makeSession('ses_a'),
    makeSession('ses_old', { status: 'archived' }),
  ]);

  it('drops the drafts of deleted and archived sessions and of removed workspaces', () => {
    expect(isDraftOrphaned(A, loaded)).toBe(false);
    expect(isDraftOrphaned(sessionDraftKey('ws_1', 'ses_gone'), loaded)).toBe(true);
    expect(isDraftOrphaned(sessionDraftKey('ws_1', 'ses_old'), loaded)).toBe(true);
    expect(isDraftOrphaned('new-session:ws_1', loaded)).toBe(false);
    expect(isDraftOrphaned('new-session:ws_gone', loaded)).toBe(true);
    expect(isDraftOrphaned(sessionDraftKey('ws_gone', 'ses_x'), loaded)).toBe(true);
  });

  it('keeps what the catalog cannot judge yet: nothing loaded, or a workspace whose sessions are not', () => {
    expect(isDraftOrphaned(A, emptyCatalog)).toBe(false);
    expect(isDraftOrphaned('new-session:ws_gone', emptyCatalog)).toBe(false);
    const workspacesOnly = withWorkspaces(emptyCatalog, [makeWorkspace()]);
    expect(isDraftOrphaned(sessionDraftKey('ws_1', 'ses_unknown'), workspacesOnly)).toBe(false);
  });
});

describe('pruneDraftsAsListsLoad', () => {
  it('drops orphaned drafts once the lists that can tell have loaded, and keeps the rest', async () => {
    const storage = memoryStorage();
    const drafts = new DraftStore(storage);
    for (const key of [A, B, sessionDraftKey('ws_2', 'ses_x'), newSessionDraftKey('ws_gone')])
      drafts.setText(key, `draft of ${key}`);
    drafts.flush();
    const catalog = new CatalogStore(
      {
        listWorkspaces: async () => [makeWorkspace(), makeWorkspace({ id: 'ws_2' })],
        listSessions: async (workspaceId) => (workspaceId === 'ws_1' ? [makeSession('ses_a')] : []),
      },
      { onFrame: () => () => undefined },
    );
    pruneDraftsAsListsLoad(drafts, catalog);
    await catalog.refresh();
    // The workspaces are known, their sessions not yet: only the removed workspace's draft goes.
    const stored = () => [...storage.data.keys()].map((key) => key.replace('chatml.draft:', '')).sort();
    expect(stored()).toEqual([A, B, sessionDraftKey('ws_2', 'ses_x')].sort());
    await catalog.ensureSessions('ws_1');
    expect(stored()).toEqual([A, sessionDraftKey('ws_2', 'ses_x')].sort());
    await catalog.ensureSessions('ws_2');
    expect(stored()).toEqual([A]);
    expect(drafts.text(B)).toBe('');
  });
});
