// @vitest-environment happy-dom
import '../../test/dom';
import type { PullRequestStatus } from '@chatml/protocol';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeSession } from '../../test/sessions';
import { GitBar } from './GitBar';
import { commitList, fail, ok, renderWithBackend } from './test-backend';

const session = makeSession('s1', { name: 'greeting' });

function prStatus(overrides: Partial<PullRequestStatus> = {}): PullRequestStatus {
  return {
    number: 7,
    url: 'https://github.com/acme/widgets/pull/7',
    state: 'open',
    isDraft: false,
    title: 'Add a greeting',
    mergeable: true,
    mergeableState: 'clean',
    headBranch: 'chatml/s1',
    headSha: 'a'.repeat(40),
    baseBranch: 'main',
    checks: [
      { name: 'build', source: 'check_run', status: 'completed', conclusion: 'success', url: 'https://ci/1' },
      { name: 'lint', source: 'check_run', status: 'completed', conclusion: 'failure', url: null },
      { name: 'ci/legacy', source: 'status', status: 'in_progress', conclusion: null, url: null },
    ],
    checksState: 'failure',
    comments: [
      {
        id: 11,
        kind: 'review_comment',
        author: 'reviewer',
        body: 'Say hello louder.',
        path: 'greeting.md',
        line: 3,
        inReplyToId: null,
        isOutdated: false,
        reviewState: null,
        url: null,
        createdAt: '2025-01-01T00:00:00Z',
      },
      {
        id: 12,
        kind: 'review',
        author: 'lead',
        body: 'Nearly there.',
        path: null,
        line: null,
        inReplyToId: null,
        isOutdated: false,
        reviewState: 'CHANGES_REQUESTED',
        url: null,
        createdAt: '2025-01-01T00:00:00Z',
      },
    ],
    fetchedAt: Date.now(),
    rateLimitedUntil: null,
    ...overrides,
  };
}

describe('creating a pull request', () => {
  it('starts from the prefill, takes the AI draft, and sends title, body and draft flag', async () => {
    const { callsTo } = renderWithBackend(<GitBar session={session} isRunning={false} />, {
      'GET /sessions/s1/commits': () => ok(commitList({ commits: 1 })),
      'GET /sessions/s1/pr': (_body, call) => ok(call === 0 ? null : prStatus()),
      'GET /sessions/s1/pr/prefill': () => ok({ title: 'write the greeting', body: '## Summary\n' }),
      'POST /sessions/s1/drafts/pr': () =>
        ok({ title: 'Add a greeting', body: '## Summary\n\nExports hello().' }),
      'POST /sessions/s1/pr': () => ({
        status: 201,
        body: { number: 7, url: 'https://github.com/acme/widgets/pull/7', isExisting: false },
      }),
    });
    await waitFor(() =>
      expect(screen.getByTestId('git-create-pr').getAttribute('aria-disabled')).toBe('false'),
    );
    fireEvent.click(screen.getByTestId('git-create-pr'));
    const title = screen.getByTestId('pr-title') as HTMLInputElement;
    const body = screen.getByTestId('pr-body') as HTMLTextAreaElement;
    await waitFor(() => expect(title.value).toBe('write the greeting'));
    expect(body.value).toBe('## Summary\n');

    fireEvent.click(screen.getByTestId('pr-draft'));
    await waitFor(() => expect(title.value).toBe('Add a greeting'));
    expect(body.value).toBe('## Summary\n\nExports hello().');
    fireEvent.click(screen.getByTestId('pr-is-draft'));
    fireEvent.click(screen.getByTestId('pr-submit'));

    await waitFor(() => expect(screen.getByTestId('pr-panel')).toBeTruthy());
    expect(callsTo('POST', '/sessions/s1/pr')[0]?.body).toEqual({
      title: 'Add a greeting',
      body: '## Summary\n\nExports hello().',
      draft: true,
    });
    expect(screen.getByTestId('git-notice').textContent).toContain('Opened pull request #7');
    expect(screen.getByTestId('pr-toggle').textContent).toContain('PR #7');
  });

  it('says how to fix a missing token or remote, once (the backend’s message carries the advice)', async () => {
    renderWithBackend(<GitBar session={session} isRunning={false} />, {
      'GET /sessions/s1/commits': () => ok(commitList({ commits: 1 })),
      'GET /sessions/s1/pr/prefill': () => ok({ title: 'x', body: '' }),
      'POST /sessions/s1/pr': () =>
        fail(
          400,
          'github_token_missing',
          'No GitHub token for github.com. Set GITHUB_TOKEN in the environment ChatML starts from, or log in with the GitHub CLI (gh auth login).',
        ),
      'POST /sessions/s1/push': () =>
        fail(
          400,
          'no_remote',
          '/repo has no git remote to push to — add one (git remote add origin <url>) and try again.',
        ),
    });
    await waitFor(() =>
      expect(screen.getByTestId('git-create-pr').getAttribute('aria-disabled')).toBe('false'),
    );
    fireEvent.click(screen.getByTestId('git-create-pr'));
    await waitFor(() => expect((screen.getByTestId('pr-title') as HTMLInputElement).value).toBe('x'));
    fireEvent.click(screen.getByTestId('pr-submit'));
    const error = await screen.findByTestId('pr-error');
    expect(error.textContent).toContain('No GitHub token for github.com.');
    expect(error.textContent?.split('GITHUB_TOKEN')).toHaveLength(2);
    expect(error.textContent?.split('gh auth login')).toHaveLength(2);

    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    fireEvent.click(screen.getByTestId('git-push'));
    const pushError = await screen.findByTestId('git-error');
    expect(pushError.textContent).toContain('/repo has no git remote to push to');
    expect(pushError.textContent?.split('git remote add origin')).toHaveLength(2);
  });
});

describe('the pull request panel', () => {
  it('shows state, mergeability, each check and the comments with file:line', async () => {
    renderWithBackend(<GitBar session={session} isRunning={false} />, {
      'GET /sessions/s1/commits': () => ok(commitList({ commits: 1 })),
      'GET /sessions/s1/pr': () => ok(prStatus()),
    });
    fireEvent.click(await screen.findByTestId('pr-toggle'));
    const panel = screen.getByRole('region', { name: 'Pull request #7' });
    expect(within(panel).getByTestId('pr-state').textContent).toBe('open');
    expect(within(panel).getByTestId('pr-mergeable').textContent).toBe('Ready to merge');
    expect(within(panel).getByTestId('pr-checks-summary').textContent).toBe(
      'Checks: 1/3 passed, 1 failing, 1 running',
    );
    const checks = within(panel).getByRole('list', { name: 'Checks' });
    expect([...checks.querySelectorAll('li')].map((item) => item.textContent)).toEqual([
      'buildsuccess',
      'lintfailure',
      'ci/legacyrunning',
    ]);
    const places = within(panel)
      .getAllByTestId('pr-comment-place')
      .map((place) => place.textContent);
    expect(places).toEqual(['greeting.md:3', 'review · changes requested']);
    expect(within(panel).getByText('Say hello louder.')).toBeTruthy();
  });

  it('follows pull_request_updated frames for this session only', async () => {
    const { pushFrame } = renderWithBackend(<GitBar session={session} isRunning={false} />, {
      'GET /sessions/s1/commits': () => ok(commitList({ commits: 1 })),
      'GET /sessions/s1/pr': () => ok(prStatus()),
    });
    fireEvent.click(await screen.findByTestId('pr-toggle'));
    pushFrame({
      type: 'pull_request_updated',
      sessionId: 'other',
      pullRequest: prStatus({ state: 'closed' }),
    });
    expect(screen.getByTestId('pr-state').textContent).toBe('open');
    pushFrame({
      type: 'pull_request_updated',
      sessionId: 's1',
      pullRequest: prStatus({
        state: 'merged',
        checks: [
          { name: 'build', source: 'check_run', status: 'completed', conclusion: 'success', url: null },
        ],
        checksState: 'success',
      }),
    });
    await waitFor(() => expect(screen.getByTestId('pr-state').textContent).toBe('merged'));
    expect(screen.getByTestId('pr-checks-summary').textContent).toBe('Checks: 1/1 passed');
    expect(screen.getByTestId('pr-toggle').textContent).toContain('merged');
  });

  it('sends the review comments to the agent, and shows when there are none left', async () => {
    const { callsTo } = renderWithBackend(<GitBar session={session} isRunning={false} />, {
      'GET /sessions/s1/commits': () => ok(commitList({ commits: 1 })),
      'GET /sessions/s1/pr': () => ok(prStatus()),
      'POST /sessions/s1/pr/comments-to-agent': (_body, call) =>
        call === 0
          ? { status: 202, body: { messageId: 'm1', queued: true, count: 1 } }
          : fail(409, 'conflict', 'Pull request #7 has no unresolved review comments.'),
    });
    fireEvent.click(await screen.findByTestId('pr-toggle'));
    fireEvent.click(screen.getByTestId('pr-comments-to-agent'));
    await waitFor(() =>
      expect(screen.getByTestId('pr-sent-note').textContent).toBe(
        'Sent 1 review comment to the agent; it waits for the current turn.',
      ),
    );
    expect(callsTo('POST', '/sessions/s1/pr/comments-to-agent')[0]?.body).toEqual({});
    fireEvent.click(screen.getByTestId('pr-comments-to-agent'));
    await waitFor(() =>
      expect(screen.getByTestId('pr-send-error').textContent).toContain('no unresolved review comments'),
    );
  });

  it('refreshes from GitHub on demand', async () => {
    const { callsTo } = renderWithBackend(<GitBar session={session} isRunning={false} />, {
      'GET /sessions/s1/commits': () => ok(commitList({ commits: 1 })),
      'GET /sessions/s1/pr': (_body, call) => ok(call === 0 ? prStatus({ comments: [] }) : prStatus()),
    });
    fireEvent.click(await screen.findByTestId('pr-toggle'));
    expect(screen.getByText('No comments yet.')).toBeTruthy();
    fireEvent.click(screen.getByTestId('pr-refresh'));
    await waitFor(() => expect(screen.getByText('Say hello louder.')).toBeTruthy());
    expect(callsTo('GET', '/sessions/s1/pr')).toHaveLength(2);
  });
});
