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
 * The app in a narrow window (600 px), in real Chromium: one column, the session list in a drawer,
 * the changes pane in the conversation's place, nothing scrolling sideways; and the panes as they
 * were once the window is wide again. Screenshots go to docs/screenshots when SAVE_SCREENSHOTS=1.
 */
const POLL = { timeout: 30_000 };
const NARROW = { width: 600, height: 800 };
const WIDE = { width: 1400, height: 860 };

let fake: FakeAnthropicServer;
let repo: TempRepo;
let dir: TempDir;
let serve: RunningServe;
let browser: Browser;
let page: Page;
let baseUrl: string;
let token: string;
let workspace: Workspace;

const shot = (name: string) => saveScreenshot(page, name);

const api = apiClient(
  () => baseUrl,
  () => token,
);

async function focusedTestId(): Promise<string | null> {
  const focused = page.locator(':focus');
  return (await focused.count()) === 0 ? null : focused.first().getAttribute('data-testid');
}

/**
 * What sticks out sideways: how far the page scrolls, and the controls (buttons, fields, links)
 * that reach past the window's right edge, by test id or text. Both must be nothing.
 */
function overflow() {
  return page.locator('html').evaluate((root) => {
    const sticking = [...root.querySelectorAll('button, select, input, textarea, a')]
      .filter((control) => {
        const box = control.getBoundingClientRect();
        return box.width > 0 && box.right > root.clientWidth + 1;
      })
      .map((control) => control.getAttribute('data-testid') ?? control.textContent?.trim());
    return { page: root.scrollWidth - root.clientWidth, sticking };
  });
}

const toggle = () => page.getByTestId('sidebar-toggle');
const drawer = () => page.getByTestId('sidebar-drawer');

beforeAll(async () => {
  fake = await FakeAnthropicServer.start({
    handler: scriptByPrompt({
      'write the notes': [
        (context) =>
          toolUseReply(
            'Write',
            {
              file_path: join(context.cwd ?? '/nonexistent', 'notes.md'),
              content: '# Notes\n\nWritten by the agent, for a narrow window.\n',
            },
            { text: 'I will write **notes.md** for you.' },
          ),
        textReply('Done: `notes.md` now exists.'),
      ],
      'say hello': [textReply('Hello from the other session.')],
    }),
  });
  repo = await createTempRepo({ files: { 'README.md': '# narrow e2e\n' } });
  dir = await makeTempDir('e2e-narrow');
  serve = await startServe({
    home: join(dir.path, 'chatml'),
    userHome: join(dir.path, 'user'),
    modelUrl: fake.url,
  });
  baseUrl = serve.url;
  token = serve.token;
  workspace = Workspace.parse(await api('POST', '/workspaces', { path: repo.path }));
  // Sessions are started through the API: creating one in the UI is the other suites' job.
  for (const [name, prompt] of [
    ['greeter', 'say hello'],
    ['notes', 'write the notes'],
  ])
    Session.parse(await api('POST', `/workspaces/${workspace.id}/sessions`, { name, prompt }));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: NARROW });
  page.setDefaultTimeout(30_000);
  await page.goto(`${baseUrl}/#token=${token}`);
  await page.getByTestId('new-session-prompt').waitFor();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  await fake?.close();
  await repo?.cleanup();
  await dir?.cleanup();
});

describe('the app in a 600 px window', () => {
  it('shows one column under a bar, with the session list in a closed drawer', async () => {
    await toggle().waitFor();
    expect(await toggle().getAttribute('aria-expanded')).toBe('false');
    expect(await drawer().isVisible()).toBe(false);
    expect(await page.getByTestId('pane-divider').count()).toBe(0);
    // The main pane has the whole width.
    const mainWidth = await page.locator('main').evaluate((main) => main.getBoundingClientRect().width);
    expect(mainWidth).toBeGreaterThan(NARROW.width - 2);
    // The session waiting for a permission is announced on the toggle, the list being out of sight.
    await expect
      .poll(() => page.getByTestId('sidebar-toggle-waiting').textContent(), POLL)
      .toBe('1 waiting for you');
    await expect.poll(overflow, POLL).toEqual({ page: 0, sticking: [] });
    await shot('narrow-new-session');
  });

  it('opens the drawer over the page and closes it on Esc, with the focus back on the toggle', async () => {
    await toggle().click();
    await drawer().waitFor();
    expect(await toggle().getAttribute('aria-expanded')).toBe('true');
    // The focus moved into the drawer, and the page beside it cannot be reached meanwhile.
    expect(await drawer().evaluate((element) => element.contains(element.ownerDocument.activeElement))).toBe(
      true,
    );
    expect(await page.locator('main').evaluate((main) => main.inert)).toBe(true);
    await expect.poll(overflow, POLL).toEqual({ page: 0, sticking: [] });
    await shot('narrow-drawer');
    await page.keyboard.press('Escape');
    await drawer().waitFor({ state: 'hidden' });
    expect(await toggle().getAttribute('aria-expanded')).toBe('false');
    expect(await focusedTestId()).toBe('sidebar-toggle');
    expect(await page.locator('main').evaluate((main) => main.inert)).toBe(false);
  });

  it('closes the drawer when a session is picked, and the focus lands in its message box', async () => {
    await toggle().click();
    await page.getByTestId('session-item').filter({ hasText: 'notes' }).click();
    await expect.poll(() => page.url(), POLL).toMatch(/\/s\/[^/]+$/);
    await drawer().waitFor({ state: 'hidden' });
    await expect.poll(focusedTestId, POLL).toBe('composer-input');
    await page.getByTestId('permission-allow').click();
    await expect
      .poll(() => page.getByTestId('transcript').textContent(), POLL)
      .toContain('notes.md now exists');
    // The header's controls wrap onto lines of their own instead of running off the window.
    await expect.poll(overflow, POLL).toEqual({ page: 0, sticking: [] });
    await shot('narrow-session');
  });

  it('shows the changes in the conversation’s place, and the conversation again when toggled off', async () => {
    await page.getByTestId('changes-toggle').click();
    await page.getByTestId('changes-sheet').waitFor();
    expect(await page.getByTestId('transcript').isVisible()).toBe(false);
    expect(await page.getByTestId('composer-input').isVisible()).toBe(false);
    await page.getByTestId('changes-file').filter({ hasText: 'notes.md' }).click();
    await expect
      .poll(() => page.getByTestId('patch-view').textContent(), POLL)
      .toContain('+Written by the agent, for a narrow window.');
    await expect.poll(overflow, POLL).toEqual({ page: 0, sticking: [] });
    await shot('narrow-changes');
    await page.getByTestId('changes-toggle').click();
    await page.getByTestId('changes-sheet').waitFor({ state: 'detached' });
    expect(await page.getByTestId('transcript').isVisible()).toBe(true);
  });

  it('keeps the shortcuts: Alt+C shows the changes, Alt+M goes back to the message box, Ctrl+K searches', async () => {
    await page.getByTestId('composer-input').focus();
    await page.keyboard.press('Alt+KeyC');
    await page.getByTestId('changes-sheet').waitFor();
    // The message box is hidden under the pane: the focus went into the pane, not to the page.
    expect(
      await page
        .getByTestId('changes-sheet')
        .evaluate((sheet) => sheet.contains(sheet.ownerDocument.activeElement)),
    ).toBe(true);
    await page.keyboard.press('Alt+KeyM');
    await page.getByTestId('changes-sheet').waitFor({ state: 'detached' });
    expect(await focusedTestId()).toBe('composer-input');

    await page.keyboard.press('Control+KeyK');
    await page.getByTestId('command-palette').waitFor();
    await page.keyboard.type('greeter');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByTestId('transcript').textContent(), POLL)
      .toContain('Hello from the other session.');
    await expect.poll(overflow, POLL).toEqual({ page: 0, sticking: [] });
  });
});

describe('the other pages in a 600 px window', () => {
  it('fit too, each opened from the drawer: adding a repository, settings', async () => {
    await toggle().click();
    await page.getByTestId('add-repository').click();
    await drawer().waitFor({ state: 'hidden' });
    await expect.poll(focusedTestId, POLL).toBe('add-repo-path');
    await expect.poll(overflow, POLL).toEqual({ page: 0, sticking: [] });

    await toggle().click();
    await page.getByTestId('settings-link').click();
    await drawer().waitFor({ state: 'hidden' });
    await page.getByText('Theme').first().waitFor();
    // Settings start in no field: the focus goes back to the toggle rather than to the page.
    await expect.poll(focusedTestId, POLL).toBe('sidebar-toggle');
    await expect.poll(overflow, POLL).toEqual({ page: 0, sticking: [] });

    await toggle().click();
    await page.getByTestId('session-item').filter({ hasText: 'greeter' }).click();
    await expect.poll(focusedTestId, POLL).toBe('composer-input');
  });
});

describe('crossing the breakpoint', () => {
  it('keeps the message being typed, and brings back the panes at their saved sizes', async () => {
    await page.getByTestId('composer-input').fill('a half-typed message');
    // Up to 900 px is narrow; from 901 the panes are back.
    await page.setViewportSize({ width: 901, height: 800 });
    await page.locator('nav.sidebar').waitFor();
    expect(await page.getByTestId('narrow-bar').count()).toBe(0);
    expect(await page.getByTestId('composer-input').inputValue()).toBe('a half-typed message');
    await page.setViewportSize({ width: 900, height: 800 });
    await toggle().waitFor();
    expect(await page.getByTestId('composer-input').inputValue()).toBe('a half-typed message');
    await page.setViewportSize(WIDE);
    await page.locator('nav.sidebar').waitFor();

    // A sidebar resized in the wide window comes back at that size after a visit to a narrow one.
    const sidebarWidth = () =>
      page.locator('nav.sidebar').evaluate((element) => element.getBoundingClientRect().width);
    const before = await sidebarWidth();
    await page.getByTestId('pane-divider').first().focus();
    for (let step = 0; step < 2; step += 1) await page.keyboard.press('ArrowRight');
    await expect.poll(sidebarWidth, POLL).toBeGreaterThan(before + 20);
    const resized = await sidebarWidth();

    await page.setViewportSize(NARROW);
    await toggle().waitFor();
    expect(await page.getByTestId('composer-input').inputValue()).toBe('a half-typed message');
    await page.setViewportSize(WIDE);
    await page.locator('nav.sidebar').waitFor();
    await expect.poll(sidebarWidth, POLL).toBeCloseTo(resized, 0);
    expect(await page.getByTestId('composer-input').inputValue()).toBe('a half-typed message');
  });
});
