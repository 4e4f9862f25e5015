// @vitest-environment happy-dom
import '../../test/dom';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeSession } from '../../test/sessions';
import { GitBar } from './GitBar';
import { commitList, fail, ok, renderWithBackend } from './test-backend';

const session = makeSession('s1', { name: 'greeting' });

async function openMerge(routes: Parameters<typeof renderWithBackend>[1]) {
  const backend = renderWithBackend(<GitBar session={session} isRunning={false} />, {
    'GET /sessions/s1/commits': () => ok(commitList({ commits: 2 })),
    ...routes,
  });
  await waitFor(() => expect(screen.getByTestId('git-merge').getAttribute('aria-disabled')).toBe('false'));
  fireEvent.click(screen.getByTestId('git-merge'));
  expect(screen.getByTestId('merge-dialog').textContent).toContain(
    'Puts the 2 commits of chatml/s1 onto main',
  );
  return backend;
}

describe('the merge dialog', () => {
  it('lists the conflicting paths of a 409 and changes nothing', async () => {
    await openMerge({
      'POST /sessions/s1/merge': () =>
        fail(409, 'conflict', 'chatml/s1 conflicts with main in 2 files; sync the session first.', [
          'src/app.ts',
          'README.md',
        ]),
    });
    fireEvent.click(screen.getByTestId('merge-submit'));
    const error = await screen.findByTestId('merge-error');
    expect(error.textContent).toContain('chatml/s1 conflicts with main in 2 files; sync the session first.');
    const paths = screen.getByRole('list', { name: 'Conflicting files' });
    expect([...paths.querySelectorAll('li')].map((item) => item.textContent)).toEqual([
      'src/app.ts',
      'README.md',
    ]);
    expect(screen.getByTestId('merge-dialog').hasAttribute('open')).toBe(true);
  });

  it('shows a refusal about the user’s own checkout exactly as the server words it', async () => {
    const reason =
      'Your checkout at /home/ada/app has uncommitted changes to src/app.ts, which the merge changes — commit or stash them there first.';
    await openMerge({ 'POST /sessions/s1/merge': () => fail(409, 'conflict', reason, ['src/app.ts']) });
    fireEvent.click(screen.getByTestId('merge-submit'));
    expect((await screen.findByTestId('merge-error')).querySelector('.git-error-message')?.textContent).toBe(
      reason,
    );
  });

  it('sends the chosen strategy and archive option, and reports the merge', async () => {
    const { callsTo } = await openMerge({
      'POST /sessions/s1/merge': () =>
        ok({
          sha: '9'.repeat(40),
          strategy: 'merge',
          baseBranch: 'main',
          updatedCheckout: '/home/ada/app',
          archived: true,
          branchDeleted: true,
        }),
    });
    fireEvent.click(screen.getByTestId('merge-strategy-merge'));
    fireEvent.click(screen.getByTestId('merge-archive'));
    fireEvent.click(screen.getByTestId('merge-submit'));
    await waitFor(() =>
      expect(screen.getByTestId('git-notice').textContent).toContain('Merged into main as 9999999'),
    );
    expect(callsTo('POST', '/sessions/s1/merge')[0]?.body).toEqual({ strategy: 'merge', archive: true });
    expect(screen.getByTestId('git-notice').textContent).toContain('updated the checkout at /home/ada/app');
    expect(screen.getByTestId('git-notice').textContent).toContain('archived and its branch deleted');
    // The <dialog> is closed by an effect after the render that shows the notice.
    await waitFor(() => expect(screen.getByTestId('merge-dialog').hasAttribute('open')).toBe(false));
  });

  it('starts with the archive choice from Settings, which the user can still clear', async () => {
    const { callsTo } = await openMerge({
      'GET /settings': () => ok({ defaultModel: null, archiveAfterMerge: true }),
      'POST /sessions/s1/merge': () => fail(409, 'conflict', 'chatml/s1 conflicts with main.'),
    });
    const archive = screen.getByTestId('merge-archive') as HTMLInputElement;
    await waitFor(() => expect(archive.checked).toBe(true));
    fireEvent.click(screen.getByTestId('merge-submit'));
    await screen.findByTestId('merge-error');
    expect(callsTo('POST', '/sessions/s1/merge')[0]?.body).toEqual({ strategy: 'squash', archive: true });

    fireEvent.click(archive);
    fireEvent.click(screen.getByTestId('merge-submit'));
    await waitFor(() => expect(callsTo('POST', '/sessions/s1/merge')).toHaveLength(2));
    expect(callsTo('POST', '/sessions/s1/merge')[1]?.body).toEqual({ strategy: 'squash', archive: false });
  });

  it('offers nothing that depends on the commits until they are known', async () => {
    let answer = (_: { status: number; body?: unknown }) => {};
    renderWithBackend(<GitBar session={session} isRunning={false} />, {
      'GET /sessions/s1/commits': () => new Promise((resolve) => (answer = resolve)),
    });
    for (const id of ['git-commit', 'git-merge', 'git-push']) {
      expect(screen.getByTestId(id).getAttribute('aria-disabled')).toBe('true');
      expect(screen.getByTestId(id).getAttribute('title')).toBe('Checking the branch’s commits…');
    }
    answer(ok(commitList({ commits: 2 })));
    await waitFor(() => expect(screen.getByTestId('git-push').getAttribute('aria-disabled')).toBe('false'));
  });

  it('is not offered while there are uncommitted changes, saying why', async () => {
    renderWithBackend(<GitBar session={session} isRunning={false} />, {
      'GET /sessions/s1/commits': () => ok(commitList({ commits: 2, uncommitted: ['a.txt'] })),
    });
    await waitFor(() =>
      expect(screen.getByTestId('git-merge').getAttribute('title')).toBe(
        'Commit or discard the uncommitted changes first.',
      ),
    );
    expect(screen.getByTestId('git-merge').getAttribute('aria-disabled')).toBe('true');
  });
});
