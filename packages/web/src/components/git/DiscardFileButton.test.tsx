// @vitest-environment happy-dom
import '../../test/dom';
import type { FileDiff } from '@chatml/protocol';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { DiscardFileButton } from './DiscardFileButton';
import { commitList, fail, ok, renderWithBackend } from './test-backend';

const file = (path: string, overrides: Partial<FileDiff> = {}): FileDiff => ({
  path,
  oldPath: null,
  status: 'modified',
  additions: 1,
  deletions: 1,
  binary: false,
  patch: '',
  ...overrides,
});

/** The button for `target`, as the changes pane shows it (base branch main, version 1). */
const discardButton = (
  target: FileDiff,
  onDiscarded: () => void,
  sync: { strategy: 'rebase' | 'merge'; conflicts: string[] } | null = null,
) => (
  <DiscardFileButton
    sync={sync}
    baseBranch="main"
    sessionId="s1"
    file={target}
    version={1}
    onDiscarded={onDiscarded}
  />
);

describe('discarding a file’s changes', () => {
  it('asks first, and discards only after the confirmation', async () => {
    const onDiscarded = vi.fn();
    const { callsTo } = renderWithBackend(discardButton(file('src/app.ts'), onDiscarded), {
      'GET /sessions/s1/commits': () => ok(commitList({ uncommitted: ['src/app.ts'] })),
      'POST /sessions/s1/discard': () => ok({ restored: ['src/app.ts'], deleted: [] }),
    });
    fireEvent.click(
      await screen.findByRole('button', { name: 'Discard the uncommitted changes to src/app.ts' }),
    );
    const dialog = screen.getByTestId('confirm-dialog');
    expect(dialog.hasAttribute('open')).toBe(true);
    expect(dialog.textContent).toContain('goes back to how it is in the last commit');
    expect(callsTo('POST', '/sessions/s1/discard')).toHaveLength(0);

    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(callsTo('POST', '/sessions/s1/discard')).toHaveLength(0);

    fireEvent.click(screen.getByTestId('discard-file'));
    fireEvent.click(screen.getByTestId('confirm-dialog-confirm'));
    await waitFor(() => expect(onDiscarded).toHaveBeenCalled());
    expect(callsTo('POST', '/sessions/s1/discard')[0]?.body).toEqual({
      paths: ['src/app.ts'],
      confirm: true,
    });
  });

  it('warns that a new file is deleted, brings a rename’s old path back, and keeps a failure in the dialog', async () => {
    const renamed = file('src/new-name.ts', { status: 'renamed', oldPath: 'src/old-name.ts' });
    const { callsTo, rerender } = renderWithBackend(
      discardButton(file('notes.md', { status: 'added' }), vi.fn()),
      {
        'GET /sessions/s1/commits': () => ok(commitList({ uncommitted: ['notes.md', 'src/new-name.ts'] })),
        'POST /sessions/s1/discard': () => fail(409, 'session_busy', 'The agent is working in this session.'),
      },
    );
    fireEvent.click(await screen.findByTestId('discard-file'));
    expect(screen.getByTestId('confirm-dialog').textContent).toContain('discarding deletes the file');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));

    rerender(discardButton(renamed, vi.fn()));
    fireEvent.click(await screen.findByTestId('discard-file'));
    fireEvent.click(screen.getByTestId('confirm-dialog-confirm'));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('The agent is working'));
    expect(callsTo('POST', '/sessions/s1/discard')[0]?.body).toEqual({
      paths: ['src/new-name.ts', 'src/old-name.ts'],
      confirm: true,
    });
    expect(screen.getByTestId('confirm-dialog').hasAttribute('open')).toBe(true);
  });

  it('says which side is dropped when a sync is stopped in the worktree', async () => {
    const backend = { 'GET /sessions/s1/commits': () => ok(commitList({ uncommitted: ['src/app.ts'] })) };
    const messageFor = async (sync: { strategy: 'rebase' | 'merge'; conflicts: string[] }) => {
      const view = renderWithBackend(discardButton(file('src/app.ts'), vi.fn(), sync), backend);
      fireEvent.click(await screen.findByTestId('discard-file'));
      const text = screen.getByTestId('confirm-dialog').textContent;
      view.unmount();
      return text;
    };
    // In a rebase HEAD is the base with the replayed commits: the session's change is what goes.
    const rebase = await messageFor({ strategy: 'rebase', conflicts: ['src/app.ts'] });
    expect(rebase).toContain('A rebase onto main is stopped here');
    expect(rebase).toContain('the session’s change to it in the commit being replayed is dropped');
    expect(rebase).toContain('That also settles its conflict.');
    expect(rebase).not.toContain('last commit of the session branch');
    // In a merge HEAD is the session branch: the base's side is what goes.
    const merge = await messageFor({ strategy: 'merge', conflicts: [] });
    expect(merge).toContain('main’s changes to it are not merged');
    expect(merge).not.toContain('settles its conflict');
  });

  it('is not offered for a file whose changes are all committed', async () => {
    const { rerender } = renderWithBackend(discardButton(file('other.ts'), vi.fn()), {
      'GET /sessions/s1/commits': () => ok(commitList({ commits: 1, uncommitted: ['other.ts'] })),
    });
    await screen.findByTestId('discard-file');
    rerender(discardButton(file('src/app.ts'), vi.fn()));
    expect(screen.queryByTestId('discard-file')).toBeNull();
  });
});
