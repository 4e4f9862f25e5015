import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Session, Workspace } from '@chatml/protocol';
import {
  createTempRepo,
  FakeAnthropicServer,
  makeTempDir,
  scriptByPrompt,
  type TempDir,
  type TempRepo,
  textReply,
  toolUseReply,
} from '@chatml/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, launchChromium, saveScreenshot } from './browser-kit.js';
import { type RunningServe, startServe } from './chatml-serve.js';

/**
 * The app shell in real Chromium, driven by the keyboard where a person would: a new session by
 * shortcut, switching with the command palette, the help overlay, the `@` file picker, unread
 * markers and +/- counts in the session list, resizable panes that survive a reload, archiving with
 * a confirmation, settings and the dark theme. (The conversation, permissions and the diff are
 * app.e2e.test.ts's.) Screenshots go to docs/screenshots when SAVE_SCREENSHOTS=1.
 */
const POLL = { timeout: 30_000 };

let fake: FakeAnthropicServer;
let repo: TempRepo;
let dir: TempDir;
let serve: RunningServe;
let browser: Browser;
let page: Page;
let baseUrl: string;
let token: string;

const shot = (name: string) => saveScreenshot(page, name);

/** The element that has focus, described by its test id (keyboard-only flows check where focus is). */
async function focusedTestId(): Promise<string | null> {
  const focused = page.locator(':focus');
  return (await focused.count()) === 0 ? null : focused.first().getAttribute('data-testid');
}

const api = apiClient(
  () => baseUrl,
  () => token,
);

/** Alt+N, type, Tab, type, Enter: a new session without touching the mouse. */
async function newSessionByKeyboard(name: string, prompt: string): Promise<void> {
  await page.keyboard.press('Alt+KeyN');
  await expect.poll(focusedTestId, POLL).toBe('new-session-prompt');
  await page.keyboard.type(prompt);
  await page.keyboard.press('Tab');
  expect(await focusedTestId()).toBe('new-session-name');
  await page.keyboard.type(name);
  await page.keyboard.press('Enter');
  await expect.poll(() => page.url(), POLL).toMatch(/\/s\/[^/]+$/);
  await page.getByTestId('session-item').filter({ hasText: name }).waitFor();
}

beforeAll(async () => {
  fake = await FakeAnthropicServer.start({
    handler: scriptByPrompt({
      'write the plan': [
        (context) =>
          toolUseReply(
            'Write',
            { file_path: join(context.cwd ?? '/nonexistent', 'PLAN.md'), content: 'one\ntwo\nthree\n' },
            { text: 'Writing the plan.' },
          ),
        textReply('The plan is written.'),
      ],
      'say hello': [textReply('Hello there, from the other session.'), textReply('Hello again.')],
    }),
  });
  repo = await createTempRepo({ files: { 'README.md': '# shell e2e\n', 'src/main.ts': 'export {};\n' } });
  await repo.git(['branch', 'release/1.0']);
  dir = await makeTempDir('e2e-shell');
  const home = join(dir.path, 'chatml');
  const userHome = join(dir.path, 'user');
  serve = await startServe({ home, userHome, modelUrl: fake.url });
  baseUrl = serve.url;
  token = serve.token;
  // The repository is added through the API: adding one in the UI is app.e2e.test.ts's job.
  const added = await fetch(`${baseUrl}/api/v1/workspaces`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ path: repo.path }),
  });
  if (added.status !== 201) throw new Error(`adding the repository failed: ${added.status}`);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  page.setDefaultTimeout(30_000);
  await page.goto(`${baseUrl}/#token=${token}`);
  await page.getByTestId('new-session-link').waitFor();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  await fake?.close();
  await repo?.cleanup();
  await dir?.cleanup();
});

describe('the app shell in Chromium', () => {
  it('creates a session with the keyboard alone and offers the repository’s branches', async () => {
    const branchOptions = page.getByTestId('new-session-branches').locator('option');
    await expect
      .poll(() => branchOptions.evaluateAll((all) => all.map((o) => o.getAttribute('value'))), POLL)
      .toEqual(expect.arrayContaining(['main', 'release/1.0']));
    await page.getByTestId('session-model').waitFor({ state: 'detached' });
    await newSessionByKeyboard('planner', 'write the plan');
    await page.getByTestId('permission-prompt').waitFor();
    await page.getByTestId('permission-allow').focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByTestId('transcript').textContent(), POLL)
      .toContain('The plan is written.');
  });

  it('shows the session’s +/- line counts in the list once its turn ended', async () => {
    const planner = page.getByTestId('session-item').filter({ hasText: 'planner' });
    await expect.poll(() => planner.getByTestId('diff-stats').textContent(), POLL).toContain('+3');
  });

  it('marks a session unread when it answers while another is shown, and clears it when opened', async () => {
    await newSessionByKeyboard('greeter', 'say hello');
    await expect.poll(() => page.getByTestId('transcript').textContent(), POLL).toContain('Hello there');
    // Back to the planner; then the greeter gets news the user has not seen.
    await page.getByTestId('session-item').filter({ hasText: 'planner' }).click();
    const { workspaces } = await api<{ workspaces: { id: string }[] }>('GET', '/workspaces');
    const { sessions } = await api<{ sessions: { id: string; name: string }[] }>(
      'GET',
      `/workspaces/${workspaces[0]?.id}/sessions`,
    );
    const greeterId = sessions.find((session) => session.name === 'greeter')?.id;
    await api('POST', `/sessions/${greeterId}/messages`, { text: 'say hello' });
    const greeter = page.getByTestId('session-item').filter({ hasText: 'greeter' });
    await expect.poll(() => greeter.getAttribute('data-unread'), POLL).toBe('true');
    await shot('session-list');
    await greeter.click();
    await expect.poll(() => greeter.getAttribute('data-unread'), POLL).toBe('false');
  });

  it('switches sessions from the command palette (Ctrl+K) by fuzzy name', async () => {
    await page.getByTestId('transcript').focus();
    await page.keyboard.press('Control+KeyK');
    await expect.poll(focusedTestId, POLL).toBe('palette-input');
    await page.keyboard.type('plnr');
    // As a user would: Enter once the best match is the highlighted one.
    await expect
      .poll(() => page.locator('[data-testid="palette-item"][aria-selected="true"]').textContent(), POLL)
      .toContain('planner');
    await shot('command-palette');
    await page.keyboard.press('Enter');
    await page.getByTestId('command-palette').waitFor({ state: 'hidden' });
    await expect
      .poll(() => page.locator('[data-testid="session-item"][aria-current="page"]').textContent(), POLL)
      .toContain('planner');
    // A switch lands where the next keystrokes go: the message box.
    await expect.poll(focusedTestId, POLL).toBe('composer-input');
    // The tab (and the history entry) names the session.
    await expect.poll(() => page.title(), POLL).toMatch(/planner[^ ]* — ChatML$/);
  });

  it('inserts a worktree file picked with @ into the message', async () => {
    await page.getByTestId('composer-input').focus();
    await page.keyboard.type('look at @PLAN');
    await page.getByTestId('file-picker-option').filter({ hasText: 'PLAN.md' }).waitFor();
    await page.keyboard.press('Enter');
    expect(await page.getByTestId('composer-input').inputValue()).toBe('look at @PLAN.md ');
    await page.getByTestId('composer-input').fill('');
  });

  it('keeps a half-typed message per session through a switch and a reload, the caret after it', async () => {
    const composer = page.getByTestId('composer-input');
    const openSession = async (name: string) => {
      await page.getByTestId('session-item').filter({ hasText: name }).click();
      await page
        .locator('[data-testid="session-item"][aria-current="page"]')
        .filter({ hasText: name })
        .waitFor();
    };
    await composer.focus();
    await page.keyboard.type('half a thought');
    await openSession('greeter');
    await expect.poll(() => composer.inputValue(), POLL).toBe('');
    await composer.focus();
    await page.keyboard.type('for the greeter');
    await openSession('planner');
    await expect.poll(() => composer.inputValue(), POLL).toBe('half a thought');
    // Alt+M to the box and typing on continues the message rather than starting before it.
    await page.keyboard.press('Alt+KeyM');
    await expect.poll(focusedTestId, POLL).toBe('composer-input');
    await page.keyboard.type(', continued');
    // Within the moment before the draft is written: leaving the page writes it.
    await page.reload();
    await expect.poll(() => composer.inputValue(), POLL).toBe('half a thought, continued');
    await openSession('greeter');
    await expect.poll(() => composer.inputValue(), POLL).toBe('for the greeter');
    await composer.fill('');
    await openSession('planner');
    await composer.fill('');
  });

  it('changes the session’s model from its header', async () => {
    await page.getByTestId('session-model').selectOption('opus');
    await expect
      .poll(() => page.getByTestId('transcript').textContent(), POLL)
      .toContain('Settings changed: model opus.');
    // The event and the session's new settings reach the page separately (event log, session list).
    await expect.poll(() => page.getByTestId('session-model').inputValue(), POLL).toBe('opus');
  });

  it('lists the shortcuts on ?, and closes the list with Esc', async () => {
    await page.getByTestId('transcript').focus();
    await page.keyboard.press('?');
    await page.getByTestId('help-overlay').waitFor();
    await shot('shortcuts');
    await page.keyboard.press('Escape');
    await page.getByTestId('help-overlay').waitFor({ state: 'hidden' });
  });

  it('resizes the sidebar from the keyboard and keeps the size after a reload', async () => {
    const sidebarWidth = () =>
      page.locator('nav.sidebar').evaluate((element) => element.getBoundingClientRect().width);
    const before = await sidebarWidth();
    await page.getByTestId('pane-divider').first().focus();
    for (let step = 0; step < 2; step += 1) await page.keyboard.press('ArrowRight');
    await expect.poll(sidebarWidth, POLL).toBeGreaterThan(before + 20);
    const resized = await sidebarWidth();
    await page.reload();
    await page.getByTestId('transcript').waitFor();
    await expect.poll(sidebarWidth, POLL).toBeCloseTo(resized, -1);
  });

  it('archives a session after confirmation, and shows archived sessions on request', async () => {
    await page.getByTestId('session-item').filter({ hasText: 'greeter' }).click();
    await page.getByTestId('archive-session').click();
    await page.getByTestId('confirm-dialog').waitFor();
    await page.getByTestId('confirm-dialog-confirm').click();
    await page.getByTestId('confirm-dialog').waitFor({ state: 'hidden' });
    await expect
      .poll(() => page.locator('.session-header .status-badge').textContent(), POLL)
      .toBe('archived');
    // The Archive button went with the worktree: the focus is on Restore, not lost to the page.
    await expect
      .poll(() => page.locator(':focus').first().getAttribute('data-testid'), POLL)
      .toBe('restore-session');
    await page.getByTestId('session-item').filter({ hasText: 'planner' }).click();
    await expect.poll(() => page.getByTestId('session-item').count(), POLL).toBe(1);
    await page.getByTestId('archived-toggle').click();
    await expect.poll(() => page.getByTestId('session-item').count(), POLL).toBe(2);
  });

  it('shows what model credentials the backend has in Settings, and switches to the dark theme', async () => {
    await page.getByTestId('settings-link').click();
    await expect
      .poll(() => page.getByTestId('settings-credentials').getAttribute('data-credentials'), POLL)
      .toBe('api_key');
    await page.getByTestId('theme-dark').check();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await shot('settings-dark');
    await page.getByTestId('theme-system').check();
    expect(await page.locator('html').getAttribute('data-theme')).toBeNull();
  });

  it('removes a workspace after asking: its session is archived, the repository and branch stay', async () => {
    const other = await createTempRepo({ files: { 'README.md': '# other\n' } });
    try {
      const call = async (method: string, path: string, body?: unknown) => {
        const response = await fetch(`${baseUrl}/api/v1${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return (await response.json()) as unknown;
      };
      const workspace = Workspace.parse(await call('POST', '/workspaces', { path: other.path }));
      const session = Session.parse(
        await call('POST', `/workspaces/${workspace.id}/sessions`, { name: 'doomed' }),
      );
      await writeFile(join(session.worktreePath, 'draft.md'), 'uncommitted work\n');

      await page.getByTestId('workspace-select').selectOption(workspace.id);
      await page.getByTestId('remove-workspace').click();
      const dialog = page.getByRole('dialog', { name: /^Remove .* from ChatML\?$/ });
      await expect.poll(() => dialog.textContent(), POLL).toContain('Its active session is archived first');
      await dialog.getByTestId('confirm-dialog-confirm').click();
      await dialog.waitFor({ state: 'hidden' });
      await expect
        .poll(
          () => page.getByTestId('workspace-select').locator(`option[value="${workspace.id}"]`).count(),
          POLL,
        )
        .toBe(0);
      expect(existsSync(session.worktreePath)).toBe(false);
      expect(existsSync(join(other.path, 'README.md'))).toBe(true);
      expect(await other.git(['branch', '--list', 'chatml/doomed'])).toContain('chatml/doomed');
      // The uncommitted file was saved on the archive ref before the worktree went.
      const archived = await other.git(['for-each-ref', '--format=%(refname)', 'refs/chatml/archive/']);
      const ref = archived.trim().split('\n')[0] ?? '';
      expect(await other.git(['show', `${ref}:draft.md`])).toBe('uncommitted work\n');
    } finally {
      await other.cleanup();
    }
  });
});
