import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BareRemote,
  createBareRemote,
  createTempRepo,
  FakeAnthropicServer,
  FakeGitHubServer,
  makeTempDir,
  type ReplyHandler,
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
 * Getting a session's work out, in real Chromium against `chatml serve` (real backend, runners, SDK
 * against the scripted fake Anthropic API, real git): the agent writes a file → commit with an AI
 * message → push + pull request (the fake GitHub records it) → the PR panel shows a review comment
 * → it goes to the agent → squash-merge into the base branch → the file is in the main checkout.
 * The workspace's `origin` looks like GitHub; `url.<bare>.insteadOf` sends git to a local bare repo.
 */
const REMOTE_URL = 'https://github.com/acme/widgets.git';
/** Agent turns and AI drafts each start a `claude` CLI: give them time. */
const POLL = { timeout: 60_000 };
const GREETING = '# Hello\n\nWelcome to widgets.\n';

let anthropic: FakeAnthropicServer;
let github: FakeGitHubServer;
let repo: TempRepo;
let remote: BareRemote;
let dir: TempDir;
let serve: RunningServe;
let browser: Browser;
let page: Page;

const handler: ReplyHandler = (context) => {
  // AI drafts are one-shot calls without tools; answer them like a model would.
  if (context.toolNames.length === 0) {
    if (context.firstUserText.includes('Write a git commit message'))
      return textReply('Add a greeting page\n\nWelcomes visitors to widgets.');
    if (context.firstUserText.includes('pull request title'))
      return textReply('Add a greeting page\n\n## Summary\n\nA greeting for visitors.');
  }
  return scriptByPrompt({
    'write the greeting': [
      (reply) =>
        toolUseReply('Write', {
          file_path: join(reply.cwd ?? '/nonexistent', 'greeting.md'),
          content: GREETING,
        }),
      textReply('Wrote greeting.md.'),
      textReply('Addressed the review: the greeting is loud enough now.'),
    ],
    'reword the readme': [
      (reply) =>
        toolUseReply('Write', {
          file_path: join(reply.cwd ?? '/nonexistent', 'README.md'),
          content: '# widgets, reworded by the agent\n',
        }),
      textReply('Reworded README.md.'),
      // Asked to resolve the sync's conflict: keep both intents, no markers.
      (reply) =>
        toolUseReply('Write', {
          file_path: join(reply.cwd ?? '/nonexistent', 'README.md'),
          content: '# widgets, reworded by the agent and moved on main\n',
        }),
      textReply('Resolved the conflict in README.md.'),
    ],
  })(context);
};

const shot = (name: string) => saveScreenshot(page, name);

const transcript = () => page.getByTestId('transcript').textContent();

beforeAll(async () => {
  anthropic = await FakeAnthropicServer.start({ handler });
  github = await FakeGitHubServer.start();
  repo = await createTempRepo({ files: { 'README.md': '# widgets\n' } });
  remote = await createBareRemote(repo);
  await repo.git(['remote', 'add', 'origin', REMOTE_URL]);
  await repo.git(['config', `url.${remote.url}.insteadOf`, REMOTE_URL]);
  github.addRepo('acme', 'widgets', { gitDir: remote.path });
  dir = await makeTempDir('git-flow-e2e');
  const home = join(dir.path, 'chatml');
  const userHome = join(dir.path, 'user');
  mkdirSync(join(dir.path, 'gh'), { recursive: true });
  serve = await startServe({
    home,
    userHome,
    modelUrl: anthropic.url,
    // An empty gh config: a developer's own `gh` login must not leak in.
    env: { GITHUB_API_URL: github.url, GITHUB_TOKEN: github.token, GH_CONFIG_DIR: join(dir.path, 'gh') },
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(60_000);
  await page.goto(`${serve.url}/#token=${serve.token}`);
  await page.getByTestId('add-repo-path').fill(repo.path);
  await page.getByTestId('add-repo-submit').click();
  await page.getByTestId('new-session-link').waitFor();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  await anthropic?.close();
  await github?.close();
  await remote?.cleanup();
  await repo?.cleanup();
  await dir?.cleanup();
});

/** Starts a session from the UI (agent may edit without asking) and opens it. */
async function startSession(name: string, prompt: string): Promise<void> {
  await page.getByTestId('new-session-link').click();
  await page.getByTestId('new-session-name').fill(name);
  await page.getByTestId('new-session-prompt').fill(prompt);
  await page.getByTestId('new-session-permission-mode').selectOption('acceptEdits');
  await page.getByTestId('new-session-create').click();
  await page.getByTestId('session-item').filter({ hasText: name }).click();
}

describe('getting work out of a session in Chromium', () => {
  it('commits what the agent wrote with an AI-written message', async () => {
    await startSession('greeting', 'write the greeting');
    await expect.poll(transcript, POLL).toContain('Wrote greeting.md.');

    await expect.poll(() => page.getByTestId('git-reason').textContent(), POLL).toBe('1 uncommitted');
    await page.getByTestId('git-commit').click();
    await page.getByTestId('commit-draft').click();
    await expect
      .poll(() => page.getByTestId('commit-message').inputValue(), POLL)
      .toBe('Add a greeting page\n\nWelcomes visitors to widgets.');
    await page.getByTestId('commit-submit').click();
    await expect
      .poll(() => page.getByTestId('git-notice').textContent(), POLL)
      .toContain('Add a greeting page');
    await expect.poll(() => page.getByTestId('git-reason').textContent(), POLL).toBe('Nothing to commit.');
    expect((await repo.git(['log', '-1', '--format=%s', 'chatml/greeting'])).trim()).toBe(
      'Add a greeting page',
    );

    // The changes pane lists the branch's commits; one opens its own diff.
    await page.getByTestId('changes-toggle').click();
    await page.getByTestId('commit-item').filter({ hasText: 'Add a greeting page' }).click();
    const commitDiff = page.getByTestId('commit-diff-dialog');
    await expect
      .poll(() => commitDiff.getByTestId('patch-view').textContent(), POLL)
      .toContain('+Welcome to widgets.');
    await commitDiff.getByRole('button', { name: 'Close' }).click();
    await page.getByTestId('changes-toggle').click();
  }, 180_000);

  it('pushes and opens a pull request that the fake GitHub records', async () => {
    await page.getByTestId('git-create-pr').click();
    await expect.poll(() => page.getByTestId('pr-title').inputValue(), POLL).toBe('write the greeting');
    await page.getByTestId('pr-draft').click();
    await expect.poll(() => page.getByTestId('pr-title').inputValue(), POLL).toBe('Add a greeting page');
    await page.getByTestId('pr-submit').click();
    await page.getByTestId('pr-panel').waitFor();

    const created = github.requestsTo('/repos/acme/widgets/pulls', 'POST');
    expect(created).toHaveLength(1);
    expect(created[0]?.body).toMatchObject({
      title: 'Add a greeting page',
      head: 'chatml/greeting',
      base: 'main',
      draft: false,
    });
    expect((await remote.git(['log', '-1', '--format=%s', 'chatml/greeting'])).trim()).toBe(
      'Add a greeting page',
    );
  }, 120_000);

  it('shows a review comment with its file and line, and sends it to the agent', async () => {
    const pull = github.repo('acme', 'widgets');
    pull.addReviewComment(1, { path: 'greeting.md', line: 3, body: 'Say hello louder.' });
    pull.setCheckRuns(await pull.resolve('chatml/greeting').then((sha) => sha ?? ''), [
      { name: 'build', status: 'completed', conclusion: 'success' },
    ]);
    await page.getByTestId('pr-refresh').click();
    await expect
      .poll(() => page.getByTestId('pr-comments').textContent(), POLL)
      .toContain('Say hello louder.');
    expect(await page.getByTestId('pr-comment-place').first().textContent()).toBe('greeting.md:3');
    await expect.poll(() => page.getByTestId('pr-checks').textContent(), POLL).toContain('build');
    await shot('pull-request-panel');

    await page.getByTestId('pr-comments-to-agent').click();
    await expect
      .poll(() => page.getByTestId('pr-sent-note').textContent(), POLL)
      .toContain('Sent 1 review comment');
    await expect.poll(transcript, POLL).toContain('Say hello louder.');
    await expect.poll(transcript, POLL).toContain('Addressed the review');
  }, 180_000);

  it('squash-merges into the base branch, and the file is in the main checkout', async () => {
    await expect.poll(() => page.getByTestId('git-merge').getAttribute('aria-disabled'), POLL).toBe('false');
    await page.getByTestId('git-merge').click();
    await page.getByTestId('merge-strategy-squash').check();
    await page.getByTestId('merge-archive').check();
    await shot('merge-dialog');
    await page.getByTestId('merge-submit').click();
    await expect.poll(() => page.getByTestId('git-notice').textContent(), POLL).toContain('Merged into main');

    expect(readFileSync(join(repo.path, 'greeting.md'), 'utf8')).toBe(GREETING);
    expect((await repo.git(['log', '-1', '--format=%s', 'main'])).trim()).toBe('Add a greeting page');
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    await page.getByTestId('restore-notice').waitFor();
  }, 120_000);

  it('restores the archived session’s worktree', async () => {
    await page.getByTestId('restore-session').click();
    await expect
      .poll(() => page.getByTestId('git-notice').textContent(), POLL)
      .toContain('Restored the worktree');
    await expect.poll(() => page.getByTestId('restore-notice').count(), POLL).toBe(0);
    // The button had the focus; the message box, usable again, has it now (not the page).
    await expect
      .poll(() => page.locator(':focus').first().getAttribute('data-testid', { timeout: 1000 }), POLL)
      .toBe('composer-input');
    expect(
      (await repo.git(['worktree', 'list'])).split('\n').some((line) => line.includes('chatml/greeting')),
    ).toBe(true);
  }, 60_000);

  it('stops a sync on conflicts, shows them, lets the agent resolve them, and continues', async () => {
    await startSession('readme', 'reword the readme');
    await expect.poll(transcript, POLL).toContain('Reworded README.md.');
    // Offered once the turn has ended and the branch's commits are known.
    await expect.poll(() => page.getByTestId('git-commit').getAttribute('aria-disabled'), POLL).toBe('false');
    await page.getByTestId('git-commit').click();
    await page.getByTestId('commit-message').fill('Reword the README');
    await page.getByTestId('commit-submit').click();
    await expect.poll(() => page.getByTestId('git-reason').textContent(), POLL).toBe('Nothing to commit.');
    // Meanwhile the base branch changes the same line.
    await repo.writeFiles({ 'README.md': '# widgets, moved on main\n' });
    await repo.commitAll('move the readme on main');

    await page.getByTestId('git-sync').click();
    // Opening the dialog reads the branch again: main's new commit is counted.
    await expect
      .poll(() => page.getByTestId('sync-behind').textContent(), POLL)
      .toBe('main has 1 commit that chatml/readme does not have yet.');
    await page.getByTestId('sync-strategy-rebase').check();
    await page.getByTestId('sync-submit').click();
    await expect.poll(() => page.getByTestId('conflict-files').textContent(), POLL).toBe('README.md');
    const row = page.getByTestId('session-item').filter({ hasText: 'readme' });
    await expect.poll(() => row.getByTestId('git-state-badge').textContent(), POLL).toBe('rebase conflicts');
    await shot('sync-conflicts');

    await page.getByTestId('conflicts-ask-agent').click();
    await expect.poll(transcript, POLL).toContain('Resolved the conflict in README.md.');
    await expect.poll(() => page.getByTestId('conflicts-continue').isEnabled(), POLL).toBe(true);
    await page.getByTestId('conflicts-continue').click();
    await expect.poll(() => page.getByTestId('git-notice').textContent(), POLL).toContain('Synced with main');
    await expect.poll(() => page.getByTestId('sync-conflicts').count(), POLL).toBe(0);
    await expect.poll(() => row.getByTestId('git-state-badge').count(), POLL).toBe(0);
    const log = await repo.git(['log', '--format=%s', 'main..chatml/readme']);
    expect(log.trim()).toBe('Reword the README');
  }, 180_000);
});
