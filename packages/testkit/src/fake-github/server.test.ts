import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BareRemote, createBareRemote, createTempRepo, type TempRepo } from '../repos/index.js';
import { FakeGitHubServer } from './server.js';

describe('FakeGitHubServer', () => {
  let github: FakeGitHubServer;
  let repo: TempRepo;
  let remote: BareRemote;

  beforeEach(async () => {
    repo = await createTempRepo();
    await repo.git(['checkout', '-q', '-b', 'feature']);
    await repo.writeFiles({ 'a.txt': 'a\n' });
    await repo.commitAll('add a');
    remote = await createBareRemote(repo);
  });
  afterEach(async () => {
    await github.close();
    await remote.cleanup();
    await repo.cleanup();
  });

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${github.url}${path}`, {
      method,
      headers: { authorization: `token ${github.token}`, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }

  it('creates a PR whose head follows pushes to the bare remote, under an Enterprise prefix', async () => {
    github = await FakeGitHubServer.start({ prefix: '/api/v3' });
    github.addRepo('acme', 'widgets', { gitDir: remote.path });
    const created = await call('POST', '/repos/acme/widgets/pulls', {
      title: 'Add a',
      head: 'feature',
      base: 'main',
      draft: true,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ number: 1, draft: true, head: { ref: 'feature' } });
    expect(github.requests[0]?.rawPath).toBe('/api/v3/repos/acme/widgets/pulls');

    await repo.writeFiles({ 'b.txt': 'b\n' });
    const newSha = await repo.commitAll('add b');
    await repo.git(['push', '-q', remote.url, 'feature']);
    expect((await call('GET', '/repos/acme/widgets/pulls/1')).body.head.sha).toBe(newSha);

    const again = await call('POST', '/repos/acme/widgets/pulls', {
      title: 'x',
      head: 'feature',
      base: 'main',
    });
    expect(again.status).toBe(422);
    expect(JSON.stringify(again.body)).toContain('A pull request already exists for acme:feature');
    const listed = await call('GET', '/repos/acme/widgets/pulls?head=acme:feature&state=open');
    expect(listed.body.map((pull: { number: number }) => pull.number)).toEqual([1]);
  });

  it('answers If-None-Match with 304 without spending the rate limit', async () => {
    github = await FakeGitHubServer.start();
    github.addRepo('acme', 'widgets', { gitDir: remote.path });
    await call('POST', '/repos/acme/widgets/pulls', { title: 'Add a', head: 'feature', base: 'main' });
    const first = await call('GET', '/repos/acme/widgets/pulls/1/comments');
    const etag = first.headers.get('etag') ?? '';
    const remaining = Number(first.headers.get('x-ratelimit-remaining'));
    const second = await call('GET', '/repos/acme/widgets/pulls/1/comments', undefined, {
      'if-none-match': etag,
    });
    expect(second.status).toBe(304);
    expect(Number(second.headers.get('x-ratelimit-remaining'))).toBe(remaining);

    github.repo('acme', 'widgets').addReviewComment(1, { path: 'a.txt', line: 1, body: 'why a?' });
    const third = await call('GET', '/repos/acme/widgets/pulls/1/comments', undefined, {
      'if-none-match': etag,
    });
    expect(third.status).toBe(200);
    expect(third.body[0]).toMatchObject({ path: 'a.txt', line: 1, body: 'why a?' });
  });

  it('refuses bad tokens, rate limits at zero, and plays scripted failures once', async () => {
    github = await FakeGitHubServer.start();
    github.addRepo('acme', 'widgets');
    const bad = await fetch(`${github.url}/repos/acme/widgets`, { headers: { authorization: 'token nope' } });
    expect(bad.status).toBe(401);

    github.failNext({ status: 429, headers: { 'retry-after': '7' }, path: '/repos/acme' });
    const limited = await call('GET', '/repos/acme/widgets');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect((await call('GET', '/repos/acme/widgets')).status).toBe(200);

    github.setRateLimit({ remaining: 0 });
    const exhausted = await call('GET', '/repos/acme/widgets');
    expect(exhausted.status).toBe(403);
    expect(exhausted.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(github.requests.map((request) => request.status)).toEqual([401, 429, 200, 403]);
  });

  it('paginates with absolute Link headers', async () => {
    github = await FakeGitHubServer.start({ prefix: '/api/v3' });
    github.addRepo('acme', 'widgets', { gitDir: remote.path });
    await call('POST', '/repos/acme/widgets/pulls', { title: 'Add a', head: 'feature', base: 'main' });
    for (let i = 0; i < 3; i++) github.repo('acme', 'widgets').addIssueComment(1, `comment ${i}`);
    const page = await call('GET', '/repos/acme/widgets/issues/1/comments?per_page=2');
    expect(page.body).toHaveLength(2);
    expect(page.headers.get('link')).toContain(
      `<${github.url}/repos/acme/widgets/issues/1/comments?per_page=2&page=2>; rel="next"`,
    );
  });

  it('answers the review-threads GraphQL query at /api/graphql for an Enterprise prefix', async () => {
    github = await FakeGitHubServer.start({ prefix: '/api/v3' });
    github.addRepo('acme', 'widgets', { gitDir: remote.path });
    await call('POST', '/repos/acme/widgets/pulls', { title: 'Add a', head: 'feature', base: 'main' });
    const repo = github.repo('acme', 'widgets');
    const open = repo.addReviewComment(1, { path: 'a.txt', line: 1, body: 'open' });
    const done = repo.addReviewComment(1, { path: 'a.txt', line: 1, body: 'done' });
    repo.addReviewComment(1, { path: 'a.txt', line: 1, body: 'reply', inReplyToId: done });
    repo.resolveThread(done);
    expect(github.graphqlPath).toBe('/api/graphql');
    const response = await fetch(`${github.origin}/api/graphql`, {
      method: 'POST',
      headers: { authorization: `bearer ${github.token}` },
      body: JSON.stringify({
        query: 'query { repository { pullRequest { reviewThreads { nodes { isResolved } } } } }',
        variables: { owner: 'acme', repo: 'widgets', number: 1 },
      }),
    });
    const { data } = (await response.json()) as {
      data: {
        repository: {
          pullRequest: {
            reviewThreads: {
              nodes: { isResolved: boolean; comments: { nodes: { databaseId: number }[] } }[];
            };
          };
        };
      };
    };
    expect(
      data.repository.pullRequest.reviewThreads.nodes.map((node) => [
        node.comments.nodes[0]?.databaseId,
        node.isResolved,
      ]),
    ).toEqual([
      [open, false],
      [done, true],
    ]);
  });
});
