// @vitest-environment happy-dom
import '../../test/dom';
import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeSession } from '../../test/sessions';
import { GitBar } from './GitBar';
import { SessionCommits } from './SessionCommits';
import { commitList, ok, renderWithBackend, withGitState } from './test-backend';

const ARCHIVED = 'The session is archived; restore it first.';

describe('the git bar of an archived session', () => {
  it('lists the kept branch’s commits but offers nothing that writes, saying why', async () => {
    const session = makeSession('s1', { status: 'archived' });
    const { callsTo } = renderWithBackend(<GitBar session={session} isRunning={false} />, {
      'GET /sessions/s1/commits': () => ok(commitList({ commits: 2 })),
    });
    await waitFor(() => expect(screen.getByTestId('git-bar').textContent).toContain('2 commits'));
    for (const id of ['git-commit', 'git-sync', 'git-merge', 'git-push', 'git-create-pr']) {
      expect(screen.getByTestId(id).getAttribute('aria-disabled')).toBe('true');
      expect(screen.getByTestId(id).getAttribute('title')).toBe(ARCHIVED);
    }
    expect(screen.getByTestId('git-reason').textContent).toBe(ARCHIVED);
    // The reason may truncate in a narrow pane; its tooltip keeps it whole.
    expect(screen.getByTestId('git-reason').title).toBe(ARCHIVED);
    // The buttons are one group apart from the facts, so a narrow bar wraps them as a row.
    const actions = screen.getByTestId('git-commit').parentElement;
    expect(actions?.className).toBe('git-actions trailing-group');
    expect(actions?.contains(screen.getByTestId('git-create-pr'))).toBe(true);
    expect(actions?.contains(screen.getByTestId('git-reason'))).toBe(false);
    expect(screen.getByTestId('restore-notice')).toBeTruthy();
    // No PR is an answer (null), so nothing is shown as an error.
    expect(callsTo('GET', '/sessions/s1/pr')).toHaveLength(1);
    expect(screen.queryByTestId('git-error')?.textContent ?? '').toBe('');
  });

  it('stays read-only when the branch was retired after a merge', async () => {
    const session = withGitState(makeSession('s1', { status: 'archived' }), {
      sync: null,
      worktreeMissing: false,
      branchMissing: true,
    });
    renderWithBackend(<GitBar session={session} isRunning={false} />, {
      'GET /sessions/s1/commits': () => ok(commitList({ unavailableReason: 'branch_missing' })),
    });
    await waitFor(() => expect(screen.getByTestId('restore-notice').textContent).toContain('branch is gone'));
    expect(screen.getByTestId('git-push').getAttribute('aria-disabled')).toBe('true');
    expect(screen.getByTestId('git-push').getAttribute('title')).toBe(ARCHIVED);
    expect(screen.getByTestId('git-bar').textContent).not.toMatch(/\d+ commits?/);
  });
});

describe('the session’s commit list', () => {
  it('says the branch is gone instead of “no commits yet”', async () => {
    renderWithBackend(<SessionCommits sessionId="s1" version={1} />, {
      'GET /sessions/s1/commits': () => ok(commitList({ unavailableReason: 'branch_missing' })),
    });
    const note = await screen.findByTestId('session-commits-unavailable');
    expect(note.textContent).toContain('The branch is gone');
    expect(screen.queryByText(/No commits yet/)).toBeNull();
  });
});
