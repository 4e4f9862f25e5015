// @vitest-environment happy-dom
import '../../test/dom';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeSession } from '../../test/sessions';
import { SessionList } from '../SessionList';
import { GitBar } from './GitBar';
import { commitList, fail, ok, renderWithBackend, withGitState } from './test-backend';

const conflicted = withGitState(makeSession('s1', { name: 'greeting' }), {
  sync: { strategy: 'rebase', conflicts: ['src/app.ts', 'README.md'] },
  worktreeMissing: false,
  branchMissing: false,
});
const head = 'c'.repeat(40);

const button = (testId: string) => screen.getByTestId(testId) as HTMLButtonElement;

describe('the sync conflict view', () => {
  it('lists the conflicted files from the session’s git state and refuses other git actions meanwhile', async () => {
    renderWithBackend(<GitBar session={conflicted} isRunning={false} />, {
      'GET /sessions/s1/commits': () => ok(commitList({ commits: 1 })),
    });
    const view = screen.getByRole('region', { name: 'Sync conflicts' });
    expect(view.textContent).toContain('The rebase with main stopped on conflicts');
    const files = screen.getByRole('list', { name: 'Conflicted files' });
    expect([...files.querySelectorAll('li')].map((item) => item.textContent)).toEqual([
      'src/app.ts',
      'README.md',
    ]);
    await waitFor(() =>
      expect(screen.getByTestId('git-reason').textContent).toContain('Finish the rebase first'),
    );
    expect(button('git-commit').getAttribute('aria-disabled')).toBe('true');
    expect(button('git-merge').getAttribute('aria-disabled')).toBe('true');
    // Pushing now would publish the branch's tip from before the rebase.
    expect(button('git-push').getAttribute('aria-disabled')).toBe('true');
    expect(button('git-create-pr').getAttribute('aria-disabled')).toBe('true');
  });

  it('aborts, and the view goes away with the answer', async () => {
    const { callsTo } = renderWithBackend(<GitBar session={conflicted} isRunning={false} />, {
      'GET /sessions/s1/commits': () => ok(commitList({ commits: 1 })),
      'POST /sessions/s1/sync/abort': () =>
        ok({ ok: true, conflicts: [], strategy: 'rebase', upToDate: false, head }),
    });
    fireEvent.click(button('conflicts-abort'));
    await waitFor(() => expect(screen.queryByTestId('sync-conflicts')).toBeNull());
    expect(callsTo('POST', '/sessions/s1/sync/abort')).toHaveLength(1);
    expect(screen.getByTestId('git-notice').textContent).toContain('Aborted the rebase');
  });

  it('continues: still-conflicted files are listed, then a clean continue finishes the sync', async () => {
    renderWithBackend(<GitBar session={conflicted} isRunning={false} />, {
      'GET /sessions/s1/commits': () => ok(commitList({ commits: 1 })),
      'POST /sessions/s1/sync/continue': (_body, call) =>
        call === 0
          ? fail(409, 'conflict', 'src/app.ts still has conflict markers — resolve it first.', ['src/app.ts'])
          : ok({ ok: true, conflicts: [], strategy: 'rebase', upToDate: false, head }),
    });
    fireEvent.click(button('conflicts-continue'));
    await waitFor(() =>
      expect(screen.getByTestId('conflicts-error').textContent).toContain('still has conflict markers'),
    );
    expect(screen.getByRole('list', { name: 'Still conflicted' }).textContent).toBe('src/app.ts');

    fireEvent.click(button('conflicts-continue'));
    await waitFor(() => expect(screen.queryByTestId('sync-conflicts')).toBeNull());
    expect(screen.getByTestId('git-notice').textContent).toBe('Synced with main (rebase).×');
  });

  it('asks the agent to resolve, and waits for its turn before continue or abort', async () => {
    const { callsTo, rerender } = renderWithBackend(<GitBar session={conflicted} isRunning={false} />, {
      'GET /sessions/s1/commits': () => ok(commitList({ commits: 1 })),
      'POST /sessions/s1/sync/resolve-with-agent': () => ({
        status: 202,
        body: { messageId: 'm1', queued: false },
      }),
    });
    fireEvent.click(button('conflicts-ask-agent'));
    await waitFor(() => expect(callsTo('POST', '/sessions/s1/sync/resolve-with-agent')).toHaveLength(1));
    await waitFor(() => expect(screen.getByText('Asked the agent to resolve the conflicts.')).toBeTruthy());

    rerender(<GitBar session={conflicted} isRunning />);
    expect(button('conflicts-continue').disabled).toBe(true);
    expect(button('conflicts-abort').disabled).toBe(true);
    expect(screen.getByTestId('sync-conflicts').textContent).toContain('The agent is working');
  });

  it('shows conflicts from a sync that stops on them before the session update arrives', async () => {
    renderWithBackend(<GitBar session={makeSession('s1')} isRunning={false} />, {
      'GET /sessions/s1/commits': () => ok(commitList({ commits: 1 })),
      'POST /sessions/s1/sync': () =>
        ok({ ok: false, conflicts: ['notes.md'], strategy: 'merge', upToDate: false, head }),
    });
    await waitFor(() => expect(button('git-sync').getAttribute('aria-disabled')).toBe('false'));
    fireEvent.click(button('git-sync'));
    fireEvent.click(screen.getByTestId('sync-strategy-merge'));
    fireEvent.click(screen.getByTestId('sync-submit'));
    await waitFor(() => expect(screen.getByTestId('conflict-files').textContent).toBe('notes.md'));
    expect(screen.getByTestId('sync-conflicts').textContent).toContain('The merge with main stopped');
  });

  it('marks a conflicted session in the session list, for people and screen readers', () => {
    render(
      <SessionList
        sessions={[conflicted]}
        selectedId={undefined}
        unread={{ isUnread: () => false }}
        isArchivedShown={false}
        onToggleArchived={() => undefined}
      />,
    );
    expect(screen.getByTestId('git-state-badge').textContent).toBe('rebase conflicts');
    expect(screen.getByRole('link').getAttribute('aria-label')).toBe('greeting, idle, rebase conflicts');
  });
});
