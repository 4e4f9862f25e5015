// @vitest-environment happy-dom
import '../../test/dom';
import { fireEvent, screen, waitFor } from '@testing-library/react';
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
    expect(screen.queryByTestId('archive-note')).toBeNull();
    // No PR is an answer (null), so nothing is shown as an error.
    expect(callsTo('GET', '/sessions/s1/pr')).toHaveLength(1);
    expect(screen.queryByTestId('git-error')?.textContent ?? '').toBe('');
  });

  it('says what the archive did with git-ignored files', async () => {
    const note = 'Git-ignored files saved with the work: .env.';
    renderWithBackend(
      <GitBar session={makeSession('s1', { status: 'archived', statusReason: note })} isRunning={false} />,
      { 'GET /sessions/s1/commits': () => ok(commitList({ commits: 1 })) },
    );
    expect((await screen.findByTestId('archive-note')).textContent).toBe(note);
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

describe('a branch deleted under a live worktree', () => {
  it('offers to re-create the branch, leaving the worktree as it is', async () => {
    const session = withGitState(makeSession('s1'), {
      sync: null,
      worktreeMissing: false,
      branchMissing: true,
    });
    const { callsTo } = renderWithBackend(<GitBar session={session} isRunning={false} />, {
      'GET /sessions/s1/commits': () => ok(commitList({ unavailableReason: 'branch_missing' })),
      'POST /sessions/s1/restore': () =>
        ok({
          ...withGitState(makeSession('s1'), { sync: null, worktreeMissing: false, branchMissing: false }),
          restoredWork: 'none',
        }),
    });
    expect(screen.getByTestId('restore-notice').textContent).toContain(
      'The branch chatml/s1 is gone (deleted outside ChatML); restoring re-creates it at its last commit',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Re-create the branch' }));
    await waitFor(() => expect(callsTo('POST', '/sessions/s1/restore')).toHaveLength(1));
    await waitFor(() =>
      expect(screen.getByTestId('git-notice').textContent).toContain('Re-created the branch chatml/s1.'),
    );
  });
});

describe('a branch merged into its base', () => {
  it('is marked merged, and Merge says why it is not offered again', async () => {
    renderWithBackend(<GitBar session={makeSession('s1')} isRunning={false} />, {
      'GET /sessions/s1/commits': () => ok(commitList({ commits: 1, behindBase: 1, mergedIntoBase: true })),
    });
    await waitFor(() => expect(screen.getByTestId('git-merged').textContent).toBe('merged'));
    expect(screen.getByTestId('git-merge').getAttribute('aria-disabled')).toBe('true');
    expect(screen.getByTestId('git-merge').getAttribute('title')).toBe(
      'Already merged: main has these changes.',
    );
    // "1 behind" would only invite a pointless sync.
    expect(screen.queryByTestId('git-behind')).toBeNull();
  });
});

describe('syncing from the git bar', () => {
  it('says how far behind the base the branch is, also in the sync dialog', async () => {
    renderWithBackend(<GitBar session={makeSession('s1')} isRunning={false} />, {
      'GET /sessions/s1/commits': () => ok(commitList({ commits: 1, behindBase: 3 })),
    });
    await waitFor(() => expect(screen.getByTestId('git-behind').textContent).toBe('3 behind main'));
    expect(screen.getByTestId('git-sync').getAttribute('aria-disabled')).toBe('false');
    fireEvent.click(screen.getByTestId('git-sync'));
    expect(screen.getByTestId('sync-behind').textContent).toBe(
      'main has 3 commits that chatml/s1 does not have yet.',
    );
  });

  it('stays offered when up to date (the base may have moved since), saying what was last seen', async () => {
    renderWithBackend(<GitBar session={makeSession('s1')} isRunning={false} />, {
      'GET /sessions/s1/commits': () => ok(commitList({ commits: 1, behindBase: 0 })),
    });
    await waitFor(() => expect(screen.getByTestId('git-bar').textContent).toContain('1 commit'));
    expect(screen.queryByTestId('git-behind')).toBeNull();
    fireEvent.click(screen.getByTestId('git-sync'));
    expect(screen.getByTestId('sync-behind').textContent).toContain('already had every commit of main');
  });

  it('is refused up front for edits to tracked files, not for untracked ones', async () => {
    let tracked = 1;
    const { rerender } = renderWithBackend(<GitBar session={makeSession('s1')} isRunning={false} />, {
      'GET /sessions/s1/commits': () =>
        ok(commitList({ uncommitted: ['new.md', 'src/app.ts'], tracked, behindBase: 2 })),
    });
    await waitFor(() =>
      expect(screen.getByTestId('git-sync').getAttribute('title')).toBe(
        'Commit or discard the changes to tracked files first.',
      ),
    );
    expect(screen.getByTestId('git-sync').getAttribute('aria-disabled')).toBe('true');
    // Only the new file left: git leaves untracked files alone, so syncing is offered.
    tracked = 0;
    rerender(<GitBar session={makeSession('s1', { updatedAt: 2 })} isRunning={false} />);
    await waitFor(() => expect(screen.getByTestId('git-sync').getAttribute('aria-disabled')).toBe('false'));
    expect(screen.getByTestId('git-reason').textContent).toBe('2 uncommitted');
  });
});

describe('what the git bar asks the backend', () => {
  it('cancels a read that a newer one supersedes, and the last one when the session is left', async () => {
    const never = () => new Promise<never>(() => {});
    const { callsTo, rerender, unmount } = renderWithBackend(
      <GitBar session={makeSession('s1', { updatedAt: 1 })} isRunning={false} />,
      { 'GET /sessions/s1/commits': never, 'GET /sessions/s1/pr': never },
    );
    await waitFor(() => expect(callsTo('GET', '/sessions/s1/commits')).toHaveLength(1));
    rerender(<GitBar session={makeSession('s1', { updatedAt: 2 })} isRunning={false} />);
    await waitFor(() => expect(callsTo('GET', '/sessions/s1/commits')).toHaveLength(2));
    const [first, second] = callsTo('GET', '/sessions/s1/commits');
    expect(first?.signal?.aborted).toBe(true);
    expect(second?.signal?.aborted).toBe(false);
    // Switching to another session: nothing keeps a connection (or the backend's git) busy for it.
    unmount();
    expect(second?.signal?.aborted).toBe(true);
    expect(callsTo('GET', '/sessions/s1/pr').every((call) => call.signal?.aborted)).toBe(true);
    // A cancelled read is not a failure to show.
    expect(screen.queryByTestId('git-error')).toBeNull();
  });
});
