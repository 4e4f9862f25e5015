import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type {
  CreatePullRequestResponse,
  PullRequestDraft,
  PullRequestStatus,
  PullRequestStatusResponse,
  PushResponse,
  Session,
  SessionPullRequestList,
} from '@chatml/protocol';
import {
  type BareRemote,
  createBareRemote,
  FakeGitHubServer,
  makeTempDir,
  type ReplyHandler,
  scriptByPrompt,
  type TempDir,
  textReply,
} from '@chatml/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../harness.js';

const TEMPLATE = '## Summary\n\n<!-- what and why -->\n\n## Testing\n';
const REMOTE_URL = 'https://github.com/acme/widgets.git';

/** Agent replies: review-comment messages get a short answer; tool-less drafts get scripted texts. */
const handler: ReplyHandler = (context) => {
  if (context.toolNames.length === 0) {
    if (context.firstUserText.includes('Write a git commit message'))
      return textReply('Add a greeting\n\nExports hello() for the welcome page.');
    if (context.firstUserText.includes('pull request title'))
      return textReply('Add a greeting\n\n## Summary\n\nExports hello().\n\n## Testing\n\nvitest');
  }
  return scriptByPrompt({ 'Please address these review comments': [textReply('Addressed.')] })(context);
};

interface Setup {
  harness: Harness;
  github: FakeGitHubServer;
  remote: BareRemote;
  ghConfig: TempDir;
  session: Session;
}

let setup: Setup | undefined;

afterEach(async () => {
  if (!setup) return;
  await setup.harness.close();
  await setup.github.close();
  await setup.remote.cleanup();
  await setup.ghConfig.cleanup();
  setup = undefined;
});

async function start(
  options: { prefix?: string; remoteUrl?: string; withToken?: boolean; withTemplate?: boolean } = {},
) {
  const github = await FakeGitHubServer.start({ prefix: options.prefix ?? '' });
  // An empty gh config dir: a developer's own `gh` login must not leak into the test.
  const ghConfig = await makeTempDir('gh-config');
  const env: NodeJS.ProcessEnv = { GITHUB_API_URL: github.url, GH_CONFIG_DIR: ghConfig.path };
  if (options.withToken !== false) env.GITHUB_TOKEN = github.token;
  const harness = await Harness.start({ handler, env });
  if (options.withTemplate) {
    await harness.repo.writeFiles({ '.github/pull_request_template.md': TEMPLATE });
    await harness.repo.commitAll('add a PR template');
  }
  const remote = await createBareRemote(harness.repo);
  const remoteUrl = options.remoteUrl ?? REMOTE_URL;
  // The remote looks like GitHub; git's insteadOf sends the pushes to the local bare repository.
  await harness.repo.git(['remote', 'add', 'origin', remoteUrl]);
  await harness.repo.git(['config', `url.${remote.url}.insteadOf`, remoteUrl]);
  github.addRepo('acme', 'widgets', { gitDir: remote.path });
  const workspaceId = await harness.addWorkspace();
  const session = await harness.createSession(workspaceId, { name: 'greeting' });
  setup = { harness, github, remote, ghConfig, session };
  return setup;
}

async function commitInWorktree(harness: Harness, session: Session, files: Record<string, string>) {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(session.worktreePath, path)), { recursive: true });
    await writeFile(join(session.worktreePath, path), content);
  }
  await harness.repo.git(['-C', session.worktreePath, 'add', '-A']);
  await harness.repo.git([
    '-C',
    session.worktreePath,
    'commit',
    '-q',
    '-m',
    `change ${Object.keys(files).join(' ')}`,
  ]);
  return (await harness.repo.git(['-C', session.worktreePath, 'rev-parse', 'HEAD'])).trim();
}

describe('push', () => {
  it('pushes the session branch to the base branch remote, and says when nothing was new', async () => {
    const { harness, remote, session } = await start();
    const sha = await commitInWorktree(harness, session, { 'src/greet.ts': 'export const hello = 1;\n' });
    const pushed = await harness.request<PushResponse>('POST', `/sessions/${session.id}/push`);
    expect(pushed.status).toBe(200);
    expect(pushed.body).toMatchObject({ remote: 'origin', branch: 'chatml/greeting', sha, isUpdated: true });
    expect((await remote.git(['rev-parse', 'refs/heads/chatml/greeting'])).trim()).toBe(sha);

    const again = await harness.request<PushResponse>('POST', `/sessions/${session.id}/push`, {});
    expect(again.body).toMatchObject({ isUpdated: false, isForced: false });
  });

  it('refuses to push while a sync is in progress (the branch still has its old tip)', async () => {
    const { harness, session } = await start();
    const sha = await commitInWorktree(harness, session, { 'a.txt': 'a\n' });
    // A merge stopped in the worktree, as git leaves it.
    const gitDir = (
      await harness.repo.git(['-C', session.worktreePath, 'rev-parse', '--absolute-git-dir'])
    ).trim();
    await writeFile(join(gitDir, 'MERGE_HEAD'), `${sha}\n`);
    const refused = await harness.request<{ error: { code: string; message: string } }>(
      'POST',
      `/sessions/${session.id}/push`,
    );
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(
      /merge with main is in progress — continue or abort it before pushing/,
    );
    await rm(join(gitDir, 'MERGE_HEAD'));
    expect((await harness.request('POST', `/sessions/${session.id}/push`)).status).toBe(200);
  });

  it('refuses a non-fast-forward push, and forces it with a lease only when asked', async () => {
    const { harness, remote, session } = await start();
    await commitInWorktree(harness, session, { 'a.txt': 'a\n' });
    await harness.request('POST', `/sessions/${session.id}/push`);
    // The session rewrites its history (as a rebase would): the remote branch is no ancestor now.
    await harness.repo.git(['-C', session.worktreePath, 'commit', '-q', '--amend', '-m', 'rewritten']);
    const rewritten = (await harness.repo.git(['-C', session.worktreePath, 'rev-parse', 'HEAD'])).trim();

    const rejected = await harness.request<{ error: { code: string; message: string } }>(
      'POST',
      `/sessions/${session.id}/push`,
    );
    expect(rejected.status).toBe(409);
    expect(rejected.body.error.code).toBe('push_rejected');
    expect(rejected.body.error.message).toContain('non-fast-forward');
    expect(rejected.body.error.message).toContain('force: true');

    const forced = await harness.request<PushResponse>('POST', `/sessions/${session.id}/push`, {
      force: true,
    });
    expect(forced.status).toBe(200);
    expect(forced.body.isForced).toBe(true);
    expect((await remote.git(['rev-parse', 'refs/heads/chatml/greeting'])).trim()).toBe(rewritten);
  });

  it('does not force over commits someone else pushed (the lease fails)', async () => {
    const { harness, remote, session } = await start();
    await commitInWorktree(harness, session, { 'a.txt': 'a\n' });
    await harness.request('POST', `/sessions/${session.id}/push`);
    // Someone else pushes another commit to the branch.
    await harness.repo.writeFiles({ 'theirs.txt': 'theirs\n' });
    await harness.repo.git(['checkout', '-q', '-b', 'theirs']);
    await harness.repo.commitAll('their commit');
    await harness.repo.git(['push', '-q', '-f', remote.url, 'theirs:refs/heads/chatml/greeting']);
    await harness.repo.git(['checkout', '-q', 'main']);

    await commitInWorktree(harness, session, { 'b.txt': 'b\n' });
    const forced = await harness.request<{ error: { code: string; message: string } }>(
      'POST',
      `/sessions/${session.id}/push`,
      { force: true },
    );
    expect(forced.status).toBe(409);
    expect(forced.body.error.message).toContain('changed since this clone last saw it');
  });

  it('says so when the repository has no remote', async () => {
    const { harness, session } = await start();
    await harness.repo.git(['remote', 'remove', 'origin']);
    const response = await harness.request<{ error: { code: string } }>(
      'POST',
      `/sessions/${session.id}/push`,
    );
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('no_remote');
  });
});

describe('pull request', () => {
  it('answers null (200, not a 404) while the session has none; acting on one still needs one', async () => {
    const { harness, session } = await start();
    const none = await harness.request<PullRequestStatusResponse>('GET', `/sessions/${session.id}/pr`);
    expect(none.status).toBe(200);
    expect(none.body).toBeNull();
    const sent = await harness.request<{ error: { code: string } }>(
      'POST',
      `/sessions/${session.id}/pr/comments-to-agent`,
    );
    expect(sent.status).toBe(404);
    expect(sent.body.error.code).toBe('not_found');
  });

  it('pushes, then opens a PR with the template-prefilled body, draft flag, head and base', async () => {
    const { harness, github, remote, session } = await start({ withTemplate: true });
    const sha = await commitInWorktree(harness, session, { 'src/greet.ts': 'export const hello = 1;\n' });
    const prefill = await harness.request<PullRequestDraft>('GET', `/sessions/${session.id}/pr/prefill`);
    expect(prefill.body.body).toBe(TEMPLATE);

    const created = await harness.request<CreatePullRequestResponse>('POST', `/sessions/${session.id}/pr`, {
      title: 'Add a greeting',
      body: `Adds hello().\n\n${prefill.body.body}`,
      draft: true,
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      number: 1,
      url: 'https://github.com/acme/widgets/pull/1',
      isExisting: false,
    });
    expect((await remote.git(['rev-parse', 'refs/heads/chatml/greeting'])).trim()).toBe(sha);

    const [request] = github.requestsTo('/repos/acme/widgets/pulls', 'POST');
    expect(request?.headers.authorization).toBe(`token ${github.token}`);
    expect(request?.body).toEqual({
      title: 'Add a greeting',
      body: `Adds hello().\n\n${TEMPLATE}`,
      head: 'chatml/greeting',
      base: 'main',
      draft: true,
    });

    // Asking again links the open PR instead of making a second one.
    const again = await harness.request<CreatePullRequestResponse>('POST', `/sessions/${session.id}/pr`, {
      title: 'Add a greeting',
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ number: 1, isExisting: true });
    expect(github.requestsTo('/repos/acme/widgets/pulls', 'POST')).toHaveLength(1);
  });

  it('links a PR that already exists on GitHub for the branch (422 from GitHub)', async () => {
    const { harness, github, session } = await start();
    await commitInWorktree(harness, session, { 'a.txt': 'a\n' });
    await harness.request('POST', `/sessions/${session.id}/push`);
    await github
      .repo('acme', 'widgets')
      .createPull({ title: 'by hand', head: 'chatml/greeting', base: 'main' }, 'me');
    const created = await harness.request<CreatePullRequestResponse>('POST', `/sessions/${session.id}/pr`, {
      title: 'Add a greeting',
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ number: 1, isExisting: true });
  });

  it('works against a GitHub Enterprise API under /api/v3', async () => {
    const { harness, github, session } = await start({
      prefix: '/api/v3',
      remoteUrl: 'git@ghe.example.com:acme/widgets.git',
    });
    await commitInWorktree(harness, session, { 'a.txt': 'a\n' });
    const created = await harness.request<CreatePullRequestResponse>('POST', `/sessions/${session.id}/pr`, {
      title: 'Add a',
    });
    expect(created.status).toBe(201);
    expect(github.requests.find((request) => request.method === 'POST')?.rawPath).toBe(
      '/api/v3/repos/acme/widgets/pulls',
    );
  });

  it('without a token says how to set one, before pushing anything', async () => {
    const { harness, github, remote, session } = await start({ withToken: false });
    await commitInWorktree(harness, session, { 'a.txt': 'a\n' });
    const response = await harness.request<{ error: { code: string; message: string } }>(
      'POST',
      `/sessions/${session.id}/pr`,
      { title: 'Add a' },
    );
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('github_token_missing');
    expect(response.body.error.message).toContain('GITHUB_TOKEN');
    expect(github.requests).toHaveLength(0);
    await expect(remote.git(['rev-parse', '--verify', 'refs/heads/chatml/greeting'])).rejects.toThrow();
  });
});

describe('pull request status and review loop', () => {
  async function withPullRequest() {
    const context = await start();
    await commitInWorktree(context.harness, context.session, { 'src/greet.ts': 'export const hello = 1;\n' });
    const created = await context.harness.request<CreatePullRequestResponse>(
      'POST',
      `/sessions/${context.session.id}/pr`,
      { title: 'Add a greeting' },
    );
    expect(created.status).toBe(201);
    return context;
  }

  it('reports state, checks and comments, and an unchanged poll is all 304s', async () => {
    const { harness, github, session } = await withPullRequest();
    const repo = github.repo('acme', 'widgets');
    const head = repo.pulls[0]?.headSha ?? '';
    repo.setCheckRuns(head, [
      { name: 'build', status: 'completed', conclusion: 'success' },
      { name: 'test', status: 'in_progress' },
    ]);
    repo.setStatuses(head, [{ context: 'ci/legacy', state: 'success' }]);
    const threadId = repo.addReviewComment(1, { path: 'src/greet.ts', line: 1, body: 'Call it greeting?' });
    repo.addReviewComment(1, {
      path: 'src/greet.ts',
      line: 1,
      body: 'Agreed.',
      inReplyToId: threadId,
      user: 'lead',
    });
    repo.addIssueComment(1, 'Nice work');
    repo.addReview(1, { state: 'CHANGES_REQUESTED', body: 'See the naming comment.' });

    const socket = await harness.ws();
    const first = await harness.request<PullRequestStatus>('GET', `/sessions/${session.id}/pr`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      number: 1,
      state: 'open',
      mergeable: true,
      headSha: head,
      headBranch: 'chatml/greeting',
      baseBranch: 'main',
      checksState: 'pending',
    });
    expect(first.body.checks.map((check) => [check.name, check.status, check.conclusion])).toEqual([
      ['build', 'completed', 'success'],
      ['test', 'in_progress', null],
      ['ci/legacy', 'completed', 'success'],
    ]);
    expect(first.body.comments.map((comment) => [comment.kind, comment.author, comment.body])).toEqual([
      ['review_comment', 'reviewer', 'Call it greeting?'],
      ['review_comment', 'lead', 'Agreed.'],
      ['issue_comment', 'reviewer', 'Nice work'],
      ['review', 'reviewer', 'See the naming comment.'],
    ]);
    await socket.waitFor(
      (frame) => frame.type === 'pull_request_updated' && frame.pullRequest.comments.length === 4,
    );

    const before = github.requests.length;
    const second = await harness.request<PullRequestStatus>('GET', `/sessions/${session.id}/pr`);
    const poll = github.requests.slice(before);
    expect(poll.length).toBe(6);
    expect(poll.every((request) => request.status === 304 && request.headers['if-none-match'])).toBe(true);
    expect({ ...second.body, fetchedAt: 0 }).toEqual({ ...first.body, fetchedAt: 0 });

    repo.mergePull(1);
    const merged = await harness.request<PullRequestStatus>('GET', `/sessions/${session.id}/pr`);
    expect(merged.body.state).toBe('merged');
    const listed = await harness.request<SessionPullRequestList>(
      'GET',
      `/workspaces/${session.workspaceId}/pull-requests`,
    );
    expect(listed.body.pullRequests).toEqual([
      {
        sessionId: session.id,
        number: 1,
        url: 'https://github.com/acme/widgets/pull/1',
        status: merged.body,
      },
    ]);
  });

  it('pauses when the rate limit is used up and serves the last status until the reset', async () => {
    const { harness, github, session } = await withPullRequest();
    await harness.request('GET', `/sessions/${session.id}/pr`);
    const resetAt = Math.floor(Date.now() / 1000) + 3600;
    github.setRateLimit({ remaining: 0, resetAt });
    github.repo('acme', 'widgets').addIssueComment(1, 'a change the poll would see');

    const limited = await harness.request<PullRequestStatus>('GET', `/sessions/${session.id}/pr`);
    expect(limited.status).toBe(200);
    expect(limited.body.rateLimitedUntil).toBe(resetAt * 1000);
    const refused = github.requests.filter((request) => request.status === 403);
    expect(refused).toHaveLength(1);

    const before = github.requests.length;
    const still = await harness.request<PullRequestStatus>('GET', `/sessions/${session.id}/pr`);
    expect(still.body.rateLimitedUntil).toBe(resetAt * 1000);
    expect(github.requests.length).toBe(before);
  });

  it('sends unresolved review comments to the agent, and a new push moves the PR head', async () => {
    const { harness, github, session } = await withPullRequest();
    const repo = github.repo('acme', 'widgets');
    repo.addReviewComment(1, { path: 'src/greet.ts', line: 1, body: 'Rename hello to greeting.' });
    const outdated = repo.addReviewComment(1, { path: 'src/old.ts', line: 4, body: 'Still wrong here.' });
    repo.outdateReviewComment(outdated);
    const resolved = repo.addReviewComment(1, { path: 'src/greet.ts', line: 1, body: 'Typo fixed already.' });
    repo.resolveThread(resolved);

    const sent = await harness.request<{ messageId: string; count: number }>(
      'POST',
      `/sessions/${session.id}/pr/comments-to-agent`,
    );
    expect(sent.status).toBe(202);
    expect(sent.body.count).toBe(2);
    const message = await harness.waitForEvent(
      session.id,
      (event) =>
        event.type === 'user_message' && (event.payload as { text: string }).text.includes('pull request #1'),
    );
    const text = (message.payload as { text: string }).text;
    expect(text).toContain('src/greet.ts:1 — @reviewer:');
    expect(text).toContain('Rename hello to greeting.');
    // Resolution comes from GraphQL: the resolved thread stays out, the outdated open one goes in.
    expect(text).not.toContain('Typo fixed already.');
    expect(text).toContain('src/old.ts (outdated: the line has changed since) — @reviewer:');
    expect(github.requestsTo('/graphql', 'POST')).toHaveLength(1);
    await harness.waitForTurnEnd(session.id);

    const newSha = await commitInWorktree(harness, session, {
      'src/greet.ts': 'export const greeting = 1;\n',
    });
    await harness.request('POST', `/sessions/${session.id}/push`);
    const status = await harness.request<PullRequestStatus>('GET', `/sessions/${session.id}/pr`);
    expect(status.body.headSha).toBe(newSha);
  });
});

describe('AI drafts', () => {
  it('drafts a commit message from the uncommitted diff through a one-shot model call', async () => {
    const { harness, session } = await start();
    await writeFile(`${session.worktreePath}/greet.ts`, 'export const hello = () => "hi";\n');
    const draft = await harness.request<{ message: string }>(
      'POST',
      `/sessions/${session.id}/drafts/commit-message`,
    );
    expect(draft.status).toBe(200);
    expect(draft.body.message).toBe('Add a greeting\n\nExports hello() for the welcome page.');
    const asked = harness.fake.messageRequests.find((request) =>
      JSON.stringify(request.body).includes('Write a git commit message'),
    );
    expect(JSON.stringify(asked?.body)).toContain('+export const hello = () =>');
  });

  it('drafts a PR title and body that follow the template', async () => {
    const { harness, session } = await start({ withTemplate: true });
    await commitInWorktree(harness, session, { 'greet.ts': 'export const hello = () => "hi";\n' });
    const draft = await harness.request<PullRequestDraft>('POST', `/sessions/${session.id}/drafts/pr`);
    expect(draft.status).toBe(200);
    expect(draft.body.title).toBe('Add a greeting');
    expect(draft.body.body).toContain('## Summary');
    expect(draft.body.body).toContain('## Testing');
    const asked = harness.fake.messageRequests.find((request) =>
      JSON.stringify(request.body).includes('pull request title'),
    );
    expect(JSON.stringify(asked?.body)).toContain('+export const hello = () =>');
    expect(JSON.stringify(asked?.body)).toContain('<template>');
  });
});
