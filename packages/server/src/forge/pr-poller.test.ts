import type { PullRequestStatus } from '@chatml/protocol';
import { createTempRepo, FakeGitHubServer, type TempRepo } from '@chatml/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.js';
import { openDatabase } from '../store/database.js';
import { prepared } from '../store/prepared.js';
import { GitHubClient } from './github-client.js';
import { PullRequestPoller } from './pr-poller.js';
import { PullRequestStore } from './pr-store.js';
import { RateLimits } from './rate-limit.js';

describe('PullRequestPoller', () => {
  let github: FakeGitHubServer;
  let repo: TempRepo;
  let now: number;
  let changes: PullRequestStatus[];
  let poller: PullRequestPoller;

  beforeEach(async () => {
    github = await FakeGitHubServer.start({ prefix: '/api/v3' });
    repo = await createTempRepo();
    github.addRepo('acme', 'widgets');
    await github.repo('acme', 'widgets').createPull({ title: 'T', head: 'feature', base: 'main' }, 'me');
    const db = openDatabase(':memory:', silentLogger);
    prepared(
      db,
      "INSERT INTO workspaces (id, name, path, base_branch, status, created_at) VALUES ('ws', 'w', '/w', 'main', 'ready', 0)",
    ).run();
    prepared(
      db,
      `INSERT INTO sessions (id, workspace_id, name, branch, base_branch, worktree_path, status, permission_mode, created_at, updated_at)
       VALUES ('ses', 'ws', 's', 'chatml/s', 'main', '/w/s', 'idle', 'default', 0, 0)`,
    ).run();
    const store = new PullRequestStore(db);
    store.link({
      sessionId: 'ses',
      number: 1,
      url: 'https://github.com/acme/widgets/pull/1',
      host: 'ghe.example.com',
      apiBaseUrl: github.url,
      owner: 'acme',
      repo: 'widgets',
      headBranch: 'feature',
    });
    now = Date.now();
    changes = [];
    const rateLimits = new RateLimits(() => now);
    poller = new PullRequestPoller({
      store,
      rateLimits,
      clientFor: async (link) =>
        new GitHubClient(
          { host: link.host, owner: link.owner, repo: link.repo, apiBaseUrl: link.apiBaseUrl },
          { token: github.token, source: 'test' },
          rateLimits,
        ),
      onChanged: (_sessionId, status) => changes.push(status),
      logger: silentLogger,
      now: () => now,
      intervalMs: 1000,
      maxIntervalMs: 8000,
    });
    poller.start();
  });
  afterEach(async () => {
    poller.dispose();
    await github.close();
    await repo.cleanup();
  });

  const due = () => github.requests.length;

  it('backs off while nothing changes and reports a change at once', async () => {
    await poller.tick();
    expect(changes).toHaveLength(1);
    const afterFirst = due();

    now += 1000;
    await poller.tick(); // unchanged: all 304s; next poll in 2 s
    expect(github.requests.slice(afterFirst).every((request) => request.status === 304)).toBe(true);
    const afterSecond = due();
    now += 1000;
    await poller.tick();
    expect(due()).toBe(afterSecond); // not due yet: backing off

    github.repo('acme', 'widgets').addIssueComment(1, 'hello');
    now += 1000;
    await poller.tick();
    expect(changes).toHaveLength(2);
    expect(changes[1]?.comments[0]?.body).toBe('hello');
  });

  it('makes no request while the rate limit is used up, and resumes after the reset', async () => {
    await poller.tick();
    const resetAt = Math.floor(now / 1000) + 60;
    github.setRateLimit({ remaining: 0, resetAt });
    github.repo('acme', 'widgets').addIssueComment(1, 'new');
    now += 1000;
    await poller.tick();
    expect(github.requests.at(-1)?.status).toBe(403);
    expect(changes.at(-1)?.rateLimitedUntil).toBe(resetAt * 1000);
    const refusedAt = due();

    now += 30_000;
    await poller.tick();
    expect(due()).toBe(refusedAt);

    github.setRateLimit({ remaining: 5000, resetAt: resetAt + 3600 });
    now = resetAt * 1000 + 1;
    await poller.tick();
    expect(due()).toBeGreaterThan(refusedAt);
    expect(changes.at(-1)).toMatchObject({ rateLimitedUntil: null });
    expect(changes.at(-1)?.comments.map((comment) => comment.body)).toEqual(['new']);
  });

  it('stops polling a merged pull request', async () => {
    await poller.tick();
    github.repo('acme', 'widgets').mergePull(1);
    now += 1000;
    await poller.tick();
    expect(changes.at(-1)?.state).toBe('merged');
    expect(poller.isTracking('ses')).toBe(false);
  });
});
