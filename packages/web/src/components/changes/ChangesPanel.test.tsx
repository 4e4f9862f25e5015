// @vitest-environment happy-dom
import '../../test/dom';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Services } from '../../app/services';
import { TranscriptStore } from '../../state/transcript-store';
import { makeSession } from '../../test/sessions';
import { commitList, ok, renderWithBackend } from '../git/test-backend';
import { ChangesPanel } from './ChangesPanel';

const file = (path: string) => ({
  path,
  oldPath: null,
  status: 'modified' as const,
  additions: 1,
  deletions: 1,
  binary: false,
  patch: `diff --git a/${path} b/${path}\n--- a/${path}\n+++ b/${path}\n@@ -1 +1 @@\n-old\n+new\n`,
});

/** A transcript registry with one idle session: the pane only counts its finished file tools. */
const transcripts = {
  open: () => ({ store: new TranscriptStore(() => () => undefined), release: () => {} }),
} as unknown as Services['transcripts'];

let stop: (() => void) | undefined;
afterEach(() => stop?.());

describe('ChangesPanel', () => {
  it('reloads when its refresh signal moves (a commit, a merge, a restore), not only when a turn ends', async () => {
    const backend = renderWithBackend(
      <ChangesPanel baseBranch="main" sessionId="s1" isArchived={false} refreshSignal="0:0:idle" />,
      {
        'GET /sessions/s1/diff': (_body, call) =>
          ok({ mergeBase: 'b'.repeat(40), files: call === 0 ? [file('README.md')] : [] }),
        'GET /sessions/s1/commits': (_body, call) =>
          ok(commitList({ uncommitted: call === 0 ? ['README.md'] : [], commits: call === 0 ? 0 : 1 })),
      },
      { transcripts },
    );
    stop = backend.stop;
    await screen.findByText('Changes (1)', { exact: false });
    // The user committed from the git bar: the session log gained a git_operation.
    backend.rerender(
      <ChangesPanel baseBranch="main" sessionId="s1" isArchived={false} refreshSignal="0:1:idle" />,
    );
    await screen.findByText('No changes yet.');
    expect(backend.callsTo('GET', '/sessions/s1/diff')).toHaveLength(2);
  });

  it('says an archived session has no worktree, asks nothing of it and offers no Discard', async () => {
    const backend = renderWithBackend(
      <ChangesPanel baseBranch="main" sessionId="s1" isArchived={true} refreshSignal="0:2:archived" />,
      { 'GET /sessions/s1/commits': () => ok(commitList({ commits: 1 })) },
      { transcripts },
    );
    stop = backend.stop;
    expect((await screen.findByTestId('changes-archived')).textContent).toContain('Restore it');
    await waitFor(() => expect(backend.callsTo('GET', '/sessions/s1/commits')).toHaveLength(1));
    expect(backend.callsTo('GET', '/sessions/s1/diff')).toHaveLength(0);
    expect(screen.queryByRole('button', { name: /Discard/ })).toBeNull();
  });

  it('on Refresh also re-reads the git state (a worktree deleted or a sync started by hand) and keeps the focus', async () => {
    const backend = renderWithBackend(
      <ChangesPanel baseBranch="main" sessionId="s1" isArchived={false} refreshSignal="0:0:idle" />,
      {
        'GET /sessions/s1/diff': () => ok({ mergeBase: 'b'.repeat(40), files: [file('README.md')] }),
        'GET /sessions/s1/commits': () => ok(commitList({ uncommitted: ['README.md'], commits: 0 })),
        'GET /sessions/s1/git-state': () => ok(makeSession('s1')),
      },
      { transcripts },
    );
    stop = backend.stop;
    await screen.findByText('Changes (1)', { exact: false });
    const refresh = screen.getByRole('button', { name: 'Refresh' });
    refresh.focus();
    fireEvent.click(refresh);
    await waitFor(() => expect(backend.callsTo('GET', '/sessions/s1/git-state')).toHaveLength(1));
    expect(backend.callsTo('GET', '/sessions/s1/diff')).toHaveLength(2);
    expect(document.activeElement).toBe(screen.getByRole('button', { name: /Refresh/ }));
  });
});
