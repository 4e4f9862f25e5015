// @vitest-environment happy-dom
import '../test/dom';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { UnreadTracker } from '../state/unread';
import { makeSession, memoryStorage } from '../test/sessions';
import { SessionList } from './SessionList';

function renderList(
  options: { selectedId?: string; isArchivedShown?: boolean; unread?: UnreadTracker } = {},
) {
  const unread = options.unread ?? new UnreadTracker(memoryStorage());
  const onToggleArchived = vi.fn();
  const sessions = [
    makeSession('fresh', { status: 'running', lastSeq: 12 }),
    makeSession('asking', { status: 'waiting_permission', lastSeq: 7 }),
    makeSession('counted', { lastSeq: 3, diffStats: { files: 2, additions: 14, deletions: 3 } }),
    makeSession('broken', { status: 'error', lastSeq: 5 }),
    makeSession('landed', {
      lastSeq: 9,
      diffStats: { files: 1, additions: 2, deletions: 0, mergedIntoBase: true },
    }),
    makeSession('old', {
      status: 'archived',
      lastSeq: 40,
      diffStats: { files: 1, additions: 5, deletions: 0 },
    }),
  ];
  unread.markSeen('asking', 7);
  unread.markSeen('counted', 3);
  unread.markSeen('broken', 2);
  unread.markSeen('landed', 9);
  render(
    <SessionList
      sessions={sessions}
      selectedId={options.selectedId}
      unread={unread}
      isArchivedShown={options.isArchivedShown ?? false}
      onToggleArchived={onToggleArchived}
    />,
  );
  return { onToggleArchived };
}

const item = (name: string) => screen.getByRole('link', { name: new RegExp(`^${name},`) });

describe('SessionList', () => {
  it('shows each status as a badge a screen reader hears with the name', () => {
    renderList();
    expect(item('fresh').getAttribute('aria-label')).toBe('fresh, running, unread');
    expect(item('asking').getAttribute('aria-label')).toBe('asking, waiting for you');
    expect(within(item('asking')).getByText('waiting for you').dataset.status).toBe('waiting_permission');
    expect(within(item('broken')).getByText('error')).toBeTruthy();
  });

  it('marks sessions with news since they were last seen, but not the one on screen', () => {
    renderList({ selectedId: 'fresh' });
    expect(item('fresh').dataset.unread).toBe('false');
    expect(item('broken').dataset.unread).toBe('true');
    expect(within(item('broken')).getByTestId('unread-marker')).toBeTruthy();
    expect(item('counted').dataset.unread).toBe('false');
    expect(within(item('counted')).queryByTestId('unread-marker')).toBeNull();
  });

  it('shows +/- line counts when the session changed something', () => {
    renderList();
    const stats = within(item('counted')).getByTestId('diff-stats');
    expect(stats.textContent).toContain('+14 −3');
    expect(within(stats).getByText('2 files changed, 14 added and 3 deleted lines')).toBeTruthy();
    expect(within(item('fresh')).queryByTestId('diff-stats')).toBeNull();
  });

  it('marks a session whose commits are in the base already as merged, heard with its name', () => {
    renderList();
    expect(item('landed').getAttribute('aria-label')).toBe('landed, idle, merged');
    const badge = within(item('landed')).getByTestId('git-state-badge');
    expect(badge.textContent).toBe('merged');
    expect(badge.classList.contains('is-merged')).toBe(true);
    expect(within(item('counted')).queryByTestId('git-state-badge')).toBeNull();
  });

  it('shows an archived session’s counts quieter, as the last known ones of a worktree that is gone', () => {
    renderList({ isArchivedShown: true });
    const stats = within(item('old')).getByTestId('diff-stats');
    expect(stats.classList.contains('is-last-known')).toBe(true);
    expect(stats.title).toBe('When archived: 1 file changed, 5 added and 0 deleted lines');
    expect(within(item('counted')).getByTestId('diff-stats').classList.contains('is-last-known')).toBe(false);
  });

  it('folds archived sessions away behind a toggle', () => {
    const { onToggleArchived } = renderList();
    expect(screen.queryByRole('link', { name: /^old,/ })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Show archived (1)' }));
    expect(onToggleArchived).toHaveBeenCalled();
  });

  it('lists archived sessions when asked to, never as unread', () => {
    renderList({ isArchivedShown: true });
    expect(item('old').getAttribute('aria-label')).toBe('old, archived');
    expect(screen.getByRole('button', { name: 'Hide archived' }).getAttribute('aria-pressed')).toBe('true');
  });
});

describe('UnreadTracker', () => {
  it('remembers what was seen across page loads, in localStorage', () => {
    const storage = memoryStorage();
    new UnreadTracker(storage).markSeen('a', 9);
    const reloaded = new UnreadTracker(storage);
    expect(reloaded.isUnread({ id: 'a', lastSeq: 9, status: 'idle' })).toBe(false);
    expect(reloaded.isUnread({ id: 'a', lastSeq: 10, status: 'idle' })).toBe(true);
  });

  it('never moves backwards and survives corrupt storage', () => {
    const tracker = new UnreadTracker(memoryStorage({ 'chatml.lastSeenSeq': '{not json' }));
    tracker.markSeen('a', 9);
    tracker.markSeen('a', 4);
    expect(tracker.isUnread({ id: 'a', lastSeq: 9, status: 'idle' })).toBe(false);
  });
});
