// @vitest-environment happy-dom
import '../../test/dom';
import type { Session } from '@chatml/protocol';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { type Services, useCatalog } from '../../app/services';
import { createPreferences } from '../../state/preferences';
import { TranscriptStore } from '../../state/transcript-store';
import { UnreadTracker } from '../../state/unread';
import { makeSession, memoryStorage } from '../../test/sessions';
import { SessionView } from '../SessionView';
import { commitList, deferred, fail, ok, renderWithBackend, withGitState } from './test-backend';

/** Transcripts that never load: the git bar and the composer are under test, not the conversation. */
const transcripts = {
  open: () => ({ store: new TranscriptStore(() => () => undefined), release: () => {} }),
} as unknown as Services['transcripts'];

/** The session as the app shows it: read from the catalog, so a restore's answer re-renders it. */
function ShownSession({ id }: { id: string }) {
  const session = useCatalog().catalog.sessions.get(id);
  return session ? <SessionView session={session} onArchive={() => undefined} /> : null;
}

let stop: (() => void) | undefined;
afterEach(() => stop?.());

function renderSession(
  session: Session,
  restore: () => ReturnType<typeof ok> | Promise<ReturnType<typeof ok>>,
) {
  const backend = renderWithBackend(
    <ShownSession id={session.id} />,
    {
      'GET /sessions/s1/commits': () => ok(commitList()),
      'POST /sessions/s1/restore': restore,
    },
    {
      transcripts,
      preferences: createPreferences(memoryStorage()),
      unread: new UnreadTracker(memoryStorage()),
    },
  );
  stop = backend.stop;
  backend.catalog.addSession(session);
  return backend;
}

const restoredAnswer = () =>
  ok({
    ...withGitState(makeSession('s1'), { sync: null, worktreeMissing: false, branchMissing: false }),
    restoredWork: 'none',
  });

describe('restoring a session from its notice', () => {
  it('gives the keyboard focus to the message box, usable again, once the button is gone', async () => {
    const answer = deferred<ReturnType<typeof ok>>();
    renderSession(makeSession('s1', { status: 'archived' }), () => answer.promise);
    const composer = await screen.findByTestId('composer-input');
    expect((composer as HTMLTextAreaElement).disabled).toBe(true);
    const button = screen.getByRole('button', { name: 'Restore the worktree' });
    button.focus();
    fireEvent.click(button);

    // While it works, the button keeps the focus (a disabled one would drop it to the page).
    await screen.findByRole('button', { name: 'Restoring…' });
    expect(button.getAttribute('aria-disabled')).toBe('true');
    expect(document.activeElement).toBe(button);

    answer.resolve(restoredAnswer());
    await waitFor(() => expect(screen.queryByTestId('restore-notice')).toBeNull());
    expect((composer as HTMLTextAreaElement).disabled).toBe(false);
    expect(document.activeElement).toBe(composer);
    expect(screen.getByTestId('git-notice').textContent).toContain('Restored the worktree.');
  });

  it('does the same for a worktree deleted outside ChatML', async () => {
    const missing = withGitState(makeSession('s1'), {
      sync: null,
      worktreeMissing: true,
      branchMissing: false,
    });
    renderSession(missing, restoredAnswer);
    const button = await screen.findByRole('button', { name: 'Restore the worktree' });
    button.focus();
    fireEvent.click(button);
    await waitFor(() => expect(screen.queryByTestId('restore-notice')).toBeNull());
    expect(document.activeElement).toBe(screen.getByTestId('composer-input'));
  });

  it('leaves the focus where the user put it while the restore ran', async () => {
    const answer = deferred<ReturnType<typeof ok>>();
    renderSession(makeSession('s1', { status: 'archived' }), () => answer.promise);
    fireEvent.click(await screen.findByRole('button', { name: 'Restore the worktree' }));
    const changes = screen.getByTestId('changes-toggle');
    changes.focus();
    answer.resolve(restoredAnswer());
    await waitFor(() => expect(screen.queryByTestId('restore-notice')).toBeNull());
    expect(document.activeElement).toBe(changes);
  });

  it('keeps the focus on the button when the restore fails, with the reason', async () => {
    renderSession(makeSession('s1', { status: 'archived' }), () =>
      fail(409, 'branch_missing', 'The branch chatml/s1 is gone.'),
    );
    const button = await screen.findByRole('button', { name: 'Restore the worktree' });
    button.focus();
    fireEvent.click(button);
    await waitFor(() => expect(screen.getByTestId('restore-error').textContent).toContain('is gone'));
    expect(button.getAttribute('aria-disabled')).toBeNull();
    expect(document.activeElement).toBe(button);
  });
});
