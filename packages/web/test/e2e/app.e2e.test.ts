import { join } from 'node:path';
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
import { launchChromium, saveScreenshot } from './browser-kit.js';
import { type RunningServe, startServe } from './chatml-serve.js';

/**
 * The app end to end in real Chromium: `chatml serve` (real backend, real runners, real SDK against
 * the scripted fake API, real git) driven through the built UI. Screenshots of the main screens go
 * to docs/screenshots when SAVE_SCREENSHOTS=1.
 */
/** expect.poll gives up after 1 s by default; an agent turn starts a CLI first. */
const POLL = { timeout: 30_000 };
const STORY = Array.from({ length: 80 }, (_, i) => `Sentence ${i + 1} of the story.`).join(' ');
/** Much taller than the conversation pane: 40 paragraphs, streamed over ~10 s. */
const SAGA = Array.from(
  { length: 40 },
  (_, i) =>
    `Paragraph ${i + 1} begins here. It goes on for a while, so that the saga grows tall. Paragraph ${i + 1} ends.`,
).join('\n\n');

let fake: FakeAnthropicServer;
let repo: TempRepo;
let dir: TempDir;
let serve: RunningServe;
let browser: Browser;
let page: Page;
let baseUrl: string;
let launchUrl: string;
let chatmlHome: string;
let chatmlUserHome: string;

const shot = (name: string) => saveScreenshot(page, name);

async function newSession(name: string, prompt: string): Promise<void> {
  await page.getByTestId('new-session-link').click();
  await page.getByTestId('new-session-name').fill(name);
  await page.getByTestId('new-session-prompt').fill(prompt);
  await page.getByTestId('new-session-create').click();
  await page.getByTestId('session-item').filter({ hasText: name }).waitFor();
}

beforeAll(async () => {
  fake = await FakeAnthropicServer.start({
    handler: scriptByPrompt({
      'write the notes': [
        (context) =>
          toolUseReply(
            'Write',
            {
              file_path: join(context.cwd ?? '/nonexistent', 'notes.md'),
              content: '# Notes\n\nWritten by the agent.\n',
            },
            { text: 'I will write **notes.md** for you.' },
          ),
        textReply('Done: `notes.md` now exists.', { chunkSize: 4, chunkDelayMs: 5 }),
      ],
      'tell a story': [textReply(STORY, { chunkSize: 6, chunkDelayMs: 40 })],
      'tell a saga': [textReply(SAGA, { chunkSize: 12, chunkDelayMs: 25 })],
      'wait for me': [
        (context) => (context.lastUserText === 'carry on' ? textReply('carrying on') : { hang: true }),
      ],
    }),
  });
  repo = await createTempRepo({ files: { 'README.md': '# e2e\n' } });
  dir = await makeTempDir('e2e');
  chatmlHome = join(dir.path, 'chatml');
  chatmlUserHome = join(dir.path, 'user');
  serve = await startServe({ home: chatmlHome, userHome: chatmlUserHome, modelUrl: fake.url });
  baseUrl = serve.url;
  launchUrl = `${baseUrl}/#token=${serve.token}`;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  page.setDefaultTimeout(30_000);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  await fake?.close();
  await repo?.cleanup();
  await dir?.cleanup();
});

describe('the app in Chromium', () => {
  it('takes the token from the launch URL and clears it from the address bar', async () => {
    await page.goto(launchUrl);
    await page.getByTestId('add-repo-path').waitFor();
    expect(page.url()).toBe(`${baseUrl}/`);
    await shot('onboarding');
  });

  it('says plainly when a folder is not a git repository, then adds a real one', async () => {
    await page.getByTestId('add-repo-path').fill(dir.path);
    await page.getByTestId('add-repo-submit').click();
    await expect
      .poll(() => page.getByTestId('add-repo-error').textContent(), POLL)
      .toMatch(/not a git repository/);
    await page.getByTestId('add-repo-path').fill(repo.path);
    await page.getByTestId('add-repo-submit').click();
    await page.getByTestId('new-session-link').waitFor();
  });

  it('runs a session that asks permission, and shows its change once approved', async () => {
    await newSession('notes', 'write the notes');
    await page.getByTestId('session-item').filter({ hasText: 'notes' }).click();
    await page.getByTestId('permission-prompt').waitFor();
    await shot('permission-prompt');
    await page.getByTestId('permission-allow').click();
    await expect
      .poll(() => page.getByTestId('transcript').textContent(), POLL)
      .toContain('notes.md now exists');
    await page.getByTestId('turn-footer').first().waitFor();
    await page.getByTestId('changes-toggle').click();
    await page.getByTestId('changes-file').filter({ hasText: 'notes.md' }).click();
    await expect
      .poll(() => page.getByTestId('patch-view').textContent(), POLL)
      .toContain('+Written by the agent.');
    await page.getByRole('button', { name: 'Split' }).click();
    await expect.poll(() => page.getByTestId('patch-view').getAttribute('data-mode'), POLL).toBe('split');
    await page.getByRole('button', { name: 'Unified' }).click();
    await page.getByRole('article', { name: 'Write done' }).getByRole('button', { name: 'Details' }).click();
    await expect
      .poll(() => page.getByTestId('tool-diff').textContent(), POLL)
      .toContain('+Written by the agent.');
    // The card's diff is exactly as tall as its rows: no empty band below the last line.
    const spare = await page.getByTestId('tool-diff').evaluate((box) => {
      const rowsHeight = box.querySelector('.diff-rows')?.clientHeight ?? 0;
      return { spare: box.clientHeight - rowsHeight, scrolls: box.scrollHeight > box.clientHeight };
    });
    expect(spare).toEqual({ spare: 0, scrolls: false });
    await shot('session-with-changes');

    // A smaller window with the changes pane open: the header and the git bar fit their pane (they
    // wrap or truncate), nothing scrolls sideways, every header control stays inside the pane, and
    // the model and permission selects stay wide enough to read.
    await page.setViewportSize({ width: 1100, height: 800 });
    try {
      const overflow = () =>
        page.locator('.session-header').evaluate((header) => {
          const root = header.ownerDocument.documentElement;
          const paneRight = header.closest('.pane')?.getBoundingClientRect().right ?? 0;
          const sticking = [...header.querySelectorAll('button, select')].filter(
            (control) => control.getBoundingClientRect().right > paneRight + 1,
          ).length;
          const boxes = [
            header.closest('.pane'),
            ...root.querySelectorAll('.session-header, .git-bar, .composer'),
          ];
          const scrollers = boxes.filter(
            (element) => element !== null && element.scrollWidth > element.clientWidth + 1,
          ).length;
          // Narrower than this a select shows "D…" / "A…": it must wrap to a line of its own first.
          const squeezed = [...header.querySelectorAll('select')].filter(
            (select) => select.getBoundingClientRect().width < 96,
          ).length;
          return { page: root.scrollWidth - root.clientWidth, sticking, scrollers, squeezed };
        });
      await expect.poll(overflow, POLL).toEqual({ page: 0, sticking: 0, scrollers: 0, squeezed: 0 });
    } finally {
      await page.setViewportSize({ width: 1400, height: 860 });
    }
  });

  it('streams a second session live, and a reload mid-stream shows the whole text exactly once', async () => {
    await newSession('story', 'tell a story');
    await page.getByTestId('session-item').filter({ hasText: 'story' }).click();
    await expect.poll(() => page.getByTestId('transcript').textContent(), POLL).toContain('Sentence 3 of');
    await shot('streaming');
    expect(page.url()).toMatch(/\/w\/[^/]+\/s\/[^/]+$/);
    await page.reload();
    await expect
      .poll(() => page.getByTestId('transcript').textContent(), { timeout: 60_000 })
      .toContain('Sentence 80 of the story.');
    const text = (await page.getByTestId('transcript').textContent()) ?? '';
    expect(text.split('Sentence 1 of the story.')).toHaveLength(2);
    expect(text.split('Sentence 80 of the story.')).toHaveLength(2);
    expect(text).toContain(STORY);
  });

  it('keeps a streaming answer in view at the bottom, and stops following once the user scrolls up', async () => {
    await newSession('saga', 'tell a saga');
    await page.getByTestId('session-item').filter({ hasText: 'saga' }).click();
    const log = page.getByTestId('transcript');
    const distanceFromEnd = () => log.evaluate((el) => el.scrollHeight - el.clientHeight - el.scrollTop);
    const jump = page.getByRole('button', { name: /Jump to latest/ });
    await expect.poll(() => log.evaluate((el) => el.scrollHeight > 1.5 * el.clientHeight), POLL).toBe(true);
    expect(await distanceFromEnd()).toBeLessThanOrEqual(48);
    expect(await jump.count()).toBe(0);

    await log.evaluate((el) => {
      el.scrollTop = 0;
    });
    await jump.waitFor();
    const heightWhenLeft = await log.evaluate((el) => el.scrollHeight);
    await expect
      .poll(() => log.evaluate((el) => el.scrollHeight), POLL)
      .toBeGreaterThan(heightWhenLeft + 100);
    expect(await log.evaluate((el) => el.scrollTop)).toBeLessThan(48);

    await jump.click();
    await expect.poll(distanceFromEnd, POLL).toBeLessThanOrEqual(48);
    await expect.poll(() => log.textContent(), { timeout: 60_000 }).toContain('Paragraph 40 ends.');
    await expect.poll(distanceFromEnd, POLL).toBeLessThanOrEqual(48);
    expect(await jump.count()).toBe(0);
  });

  it('interrupts a running turn with the Stop button', async () => {
    await newSession('waiter', 'wait for me');
    await page.getByTestId('session-item').filter({ hasText: 'waiter' }).click();
    await page.getByTestId('composer-stop').waitFor();
    // Stop once the agent is really mid-request (the model is "thinking" forever).
    await expect.poll(() => fake.requestsForPrompt('wait for me').length, POLL).toBeGreaterThan(0);
    await page.getByTestId('composer-stop').click();
    await expect
      .poll(() => page.getByTestId('transcript').textContent(), POLL)
      .toMatch(/[Ss]topped|[Ii]nterrupted/);
    await page.getByTestId('composer-input').fill('carry on');
    await page.getByTestId('composer-input').press('Enter');
    await expect.poll(() => page.getByTestId('transcript').textContent(), POLL).toContain('carrying on');
  });

  it('says the token was refused when the backend comes back with a new one, not "unreachable" forever', async () => {
    // A `chatml serve` started again by hand gets a new launch token; this tab still has the old one.
    const port = Number(new URL(baseUrl).port);
    await serve.stop();
    serve = await startServe({ home: chatmlHome, userHome: chatmlUserHome, modelUrl: fake.url, port });
    await expect
      .poll(() => page.locator('main').first().textContent(), { timeout: 60_000 })
      .toContain('does not accept this tab');
  });
});
