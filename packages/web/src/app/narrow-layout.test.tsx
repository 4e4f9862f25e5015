// @vitest-environment happy-dom
import '../test/dom';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitList, ok, renderWithBackend } from '../components/git/test-backend';
import { createPreferences, type Preferences } from '../state/preferences';
import { TranscriptStore } from '../state/transcript-store';
import { UnreadTracker } from '../state/unread';
import { makeSession, makeWorkspace, memoryStorage } from '../test/sessions';
import { FakeViewport } from '../test/viewport';
import { App } from './App';
import type { Services } from './services';

/** Transcripts that never load: the layout is under test, not the conversation. */
const transcripts = {
  open: () => ({ store: new TranscriptStore(() => () => undefined), release: () => {} }),
} as unknown as Services['transcripts'];

const NARROW = 600;
const WIDE = 1200;

let viewport: FakeViewport;
let stop: (() => void) | undefined;
let preferences: Preferences;

beforeEach(() => {
  history.replaceState(null, '', '/w/ws_1/s/s1');
  preferences = createPreferences(memoryStorage());
});
afterEach(() => {
  stop?.();
  viewport.uninstall();
  localStorage.clear();
});

/** The app on session s1 of a workspace with two sessions (s2 waits for a permission). */
async function renderApp(width: number) {
  viewport = new FakeViewport(width).install();
  const sessions = [makeSession('s1'), makeSession('s2', { status: 'waiting_permission' })];
  const backend = renderWithBackend(
    <App onNewToken={() => undefined} />,
    {
      'GET /workspaces': () =>
        ok({
          workspaces: [makeWorkspace(), makeWorkspace({ id: 'ws_2', name: 'gadgets', path: '/src/gadgets' })],
        }),
      'GET /workspaces/ws_1/sessions': () => ok({ sessions }),
      'GET /workspaces/ws_2/sessions': () => ok({ sessions: [] }),
      'GET /sessions/s1/commits': () => ok(commitList()),
      'GET /sessions/s2/commits': () => ok(commitList()),
      'GET /sessions/s1/diff': () => ok({ mergeBase: 'b'.repeat(40), files: [] }),
    },
    { preferences, transcripts, unread: new UnreadTracker(memoryStorage()) },
  );
  stop = backend.stop;
  await screen.findByTestId('composer-input');
  return backend;
}

const toggle = () => screen.getByTestId('sidebar-toggle');
const drawer = () => screen.getByTestId('sidebar-drawer');
const main = () => screen.getByRole('main');
const pressKey = (init: KeyboardEventInit) =>
  fireEvent.keyDown(document.activeElement ?? document.body, { bubbles: true, ...init });

describe('the app in a narrow window', () => {
  it('stays open, the focus on the repository picker, while the user steps through repositories with it', async () => {
    await renderApp(NARROW);
    fireEvent.click(toggle());
    const picker = drawer().querySelector<HTMLSelectElement>('#workspace-select');
    if (!picker) throw new Error('no repository picker in the drawer');
    picker.focus();
    // An arrow key on a closed select changes it at once: the page goes to that repository.
    fireEvent.change(picker, { target: { value: 'ws_2' } });
    await waitFor(() => expect(location.pathname).toBe('/w/ws_2'));
    await screen.findByTestId('new-session-prompt');
    expect(drawer().hidden).toBe(false);
    expect(document.activeElement).toBe(picker);
  });

  it('puts the session list in a drawer behind a toggle, instead of a pane beside the session', async () => {
    await renderApp(NARROW);
    expect(screen.queryByTestId('pane-divider')).toBeNull();
    expect(toggle().getAttribute('aria-expanded')).toBe('false');
    expect(toggle().getAttribute('aria-controls')).toBe(drawer().id);
    expect(drawer().hidden).toBe(true);
    // The list is out of sight: the toggle says a session waits for the user.
    expect(toggle().textContent).toContain('1 waiting for you');
  });

  it('opens the drawer with the focus on the session shown, and closes it on Esc, the focus back on the toggle', async () => {
    await renderApp(NARROW);
    fireEvent.click(toggle());
    expect(toggle().getAttribute('aria-expanded')).toBe('true');
    expect(drawer().hidden).toBe(false);
    // Tab stays in the bar and the drawer: the page beside it is inert.
    expect(main().hasAttribute('inert')).toBe(true);
    const current = drawer().querySelector('[aria-current="page"]');
    expect(current?.getAttribute('data-session-name')).toBe('s1');
    expect(document.activeElement).toBe(current);

    pressKey({ key: 'Escape' });
    expect(drawer().hidden).toBe(true);
    expect(toggle().getAttribute('aria-expanded')).toBe('false');
    expect(main().hasAttribute('inert')).toBe(false);
    expect(document.activeElement).toBe(toggle());
  });

  it('closes the drawer when a session is picked in it, and puts the focus in that session’s message box', async () => {
    await renderApp(NARROW);
    fireEvent.click(toggle());
    const other = [...drawer().querySelectorAll('[data-testid="session-item"]')].find(
      (item) => item.getAttribute('data-session-name') === 's2',
    );
    fireEvent.click(other!);
    expect(location.pathname).toBe('/w/ws_1/s/s2');
    await waitFor(() => expect(drawer().hidden).toBe(true));
    expect(screen.getByRole('region', { name: 'Session s2' })).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByTestId('composer-input'));
  });

  it('closes the drawer for the add-repository form, with the focus in its first field', async () => {
    await renderApp(NARROW);
    fireEvent.click(toggle());
    fireEvent.click(screen.getByTestId('add-repository'));
    await waitFor(() => expect(drawer().hidden).toBe(true));
    expect(document.activeElement).toBe(screen.getByTestId('add-repo-path'));
  });

  it('shows the changes pane in place of the conversation and composer, which stay mounted', async () => {
    await renderApp(NARROW);
    const composer = screen.getByTestId('composer-input');
    fireEvent.change(composer, { target: { value: 'half a thought' } });
    fireEvent.click(screen.getByTestId('changes-toggle'));
    const sheet = await screen.findByTestId('changes-sheet');
    expect(sheet.querySelector('[data-testid="changes-panel"]')).toBeTruthy();
    expect(sheet.parentElement?.classList.contains('is-covered')).toBe(true);
    // One column: no changes pane beside the conversation.
    expect(screen.queryByTestId('pane-divider')).toBeNull();
    expect(screen.getByTestId('composer-input')).toBe(composer);

    fireEvent.click(screen.getByTestId('changes-toggle'));
    expect(screen.queryByTestId('changes-sheet')).toBeNull();
    expect(screen.getByTestId('composer-input')).toBe(composer);
    expect((composer as HTMLTextAreaElement).value).toBe('half a thought');
  });

  it('moves the focus into the changes pane on Alt+C from the message box, and back on Alt+M', async () => {
    await renderApp(NARROW);
    const composer = screen.getByTestId('composer-input');
    composer.focus();
    pressKey({ key: 'c', code: 'KeyC', altKey: true });
    const sheet = await screen.findByTestId('changes-sheet');
    expect(document.activeElement).toBe(sheet);

    pressKey({ key: 'm', code: 'KeyM', altKey: true });
    expect(screen.queryByTestId('changes-sheet')).toBeNull();
    expect(preferences.isChangesOpen.get()).toBe(false);
    expect(document.activeElement).toBe(composer);
  });

  it('closes the drawer for Alt+M, so the message box can take the focus', async () => {
    await renderApp(NARROW);
    fireEvent.click(toggle());
    pressKey({ key: 'm', code: 'KeyM', altKey: true });
    expect(drawer().hidden).toBe(true);
    expect(document.activeElement).toBe(screen.getByTestId('composer-input'));
  });
});

describe('crossing the breakpoint', () => {
  it('keeps the wide layout unchanged, and the session (and what was typed) when the window narrows', async () => {
    await renderApp(WIDE);
    expect(screen.queryByTestId('narrow-bar')).toBeNull();
    expect(
      screen.getByRole('navigation', { name: 'Workspaces and sessions' }).closest('[data-panel]'),
    ).toBeTruthy();
    expect(screen.getAllByTestId('pane-divider')).toHaveLength(1);
    const composer = screen.getByTestId('composer-input');
    fireEvent.change(composer, { target: { value: 'typed while wide' } });

    act(() => viewport.resize(NARROW));
    expect(screen.getByTestId('narrow-bar')).toBeTruthy();
    expect(screen.queryByTestId('pane-divider')).toBeNull();
    expect(screen.getByTestId('composer-input')).toBe(composer);

    act(() => viewport.resize(WIDE));
    expect(screen.queryByTestId('narrow-bar')).toBeNull();
    expect(screen.getAllByTestId('pane-divider')).toHaveLength(1);
    expect(screen.getByTestId('composer-input')).toBe(composer);
    expect((composer as HTMLTextAreaElement).value).toBe('typed while wide');
  });

  it('shows the changes pane beside the conversation again once the window is wide', async () => {
    preferences.isChangesOpen.set(true);
    await renderApp(NARROW);
    expect(await screen.findByTestId('changes-sheet')).toBeTruthy();
    act(() => viewport.resize(WIDE));
    expect(screen.queryByTestId('changes-sheet')).toBeNull();
    expect(screen.getByTestId('changes-panel').closest('[data-panel]')?.id).toBe('changes');
    expect(screen.getAllByTestId('pane-divider')).toHaveLength(2);
  });
});
