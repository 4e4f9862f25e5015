// @vitest-environment happy-dom
import '../../test/dom';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { makeSession } from '../../test/sessions';
import { CommitDialog } from './CommitDialog';
import { GitBar } from './GitBar';
import { commitList, deferred, fail, ok, renderWithBackend } from './test-backend';

const session = makeSession('s1', { name: 'greeting' });

function renderDialog(routes: Parameters<typeof renderWithBackend>[1]) {
  const onCommitted = vi.fn();
  const onClose = vi.fn();
  const backend = renderWithBackend(
    <CommitDialog
      session={session}
      isOpen
      uncommitted={['greeting.md', 'src/app.ts']}
      uncommittedCount={2}
      onClose={onClose}
      onCommitted={onCommitted}
    />,
    routes,
  );
  return { ...backend, onCommitted, onClose };
}

const messageBox = () => screen.getByTestId('commit-message') as HTMLTextAreaElement;

describe('CommitDialog', () => {
  it('fills the box with the AI draft, which stays editable, and commits what the box says', async () => {
    const draft = deferred<{ status: number; body: unknown }>();
    const { callsTo, onCommitted, onClose } = renderDialog({
      'POST /sessions/s1/drafts/commit-message': () => draft.promise,
      'POST /sessions/s1/commit': () => ({ status: 201, body: { sha: 'abcdef1234567890' } }),
    });
    expect(screen.getByText(/2 files to commit/)).toBeTruthy();
    fireEvent.click(screen.getByTestId('commit-draft'));
    await waitFor(() => expect(screen.getByTestId('commit-draft').textContent).toBe('Writing…'));
    expect((screen.getByTestId('commit-submit') as HTMLButtonElement).disabled).toBe(true);
    draft.resolve(ok({ message: 'Add a greeting\n\nExports hello().' }));
    await waitFor(() => expect(messageBox().value).toBe('Add a greeting\n\nExports hello().'));

    fireEvent.change(messageBox(), { target: { value: 'Add a friendly greeting\n\nExports hello().' } });
    fireEvent.click(screen.getByTestId('commit-submit'));
    await waitFor(() =>
      expect(onCommitted).toHaveBeenCalledWith(
        'abcdef1234567890',
        'Add a friendly greeting\n\nExports hello().',
      ),
    );
    expect(callsTo('POST', '/sessions/s1/commit')[0]?.body).toEqual({
      message: 'Add a friendly greeting\n\nExports hello().',
    });
    expect(onClose).toHaveBeenCalled();
  });

  it('shows a failed draft and a refused commit as the backend said them, and stays open', async () => {
    const { onCommitted, onClose } = renderDialog({
      'POST /sessions/s1/drafts/commit-message': () =>
        fail(502, 'draft_failed', 'The model call for the draft failed: 529 overloaded'),
      'POST /sessions/s1/commit': () =>
        fail(409, 'conflict', 'git commit was refused: pre-commit: lint failed in src/app.ts'),
    });
    fireEvent.click(screen.getByTestId('commit-draft'));
    await waitFor(() => expect(screen.getByTestId('commit-error').textContent).toContain('529 overloaded'));
    expect(messageBox().value).toBe('');

    fireEvent.change(messageBox(), { target: { value: 'Try anyway' } });
    fireEvent.click(screen.getByTestId('commit-submit'));
    await waitFor(() =>
      expect(screen.getByTestId('commit-error').textContent).toContain(
        'pre-commit: lint failed in src/app.ts',
      ),
    );
    expect(onCommitted).not.toHaveBeenCalled();
    expect(onClose).not.toHaveBeenCalled();
    expect(messageBox().value).toBe('Try anyway');
  });
});

describe('GitBar commit button', () => {
  it('is disabled with the reason when there is nothing to commit, and opens the dialog when there is', async () => {
    const first = renderWithBackend(<GitBar session={session} isRunning={false} />, {
      'GET /sessions/s1/commits': () => ok(commitList()),
    });
    await waitFor(() => expect(screen.getByTestId('git-reason').textContent).toBe('Nothing to commit.'));
    const button = screen.getByTestId('git-commit');
    expect(button.getAttribute('aria-disabled')).toBe('true');
    expect(button.getAttribute('aria-describedby')).toBe(screen.getByTestId('git-reason').id);
    fireEvent.click(button);
    expect(screen.getByTestId('commit-dialog').hasAttribute('open')).toBe(false);
    first.unmount();

    renderWithBackend(<GitBar session={session} isRunning={false} />, {
      'GET /sessions/s1/commits': () => ok(commitList({ uncommitted: ['greeting.md'] })),
    });
    await waitFor(() => expect(screen.getByTestId('git-reason').textContent).toBe('1 uncommitted'));
    fireEvent.click(screen.getByTestId('git-commit'));
    expect(screen.getByTestId('commit-dialog').hasAttribute('open')).toBe(true);
  });

  it('is disabled while the agent works, saying so', async () => {
    renderWithBackend(<GitBar session={session} isRunning />, {
      'GET /sessions/s1/commits': () => ok(commitList({ uncommitted: ['greeting.md'] })),
    });
    await waitFor(() =>
      expect(screen.getByTestId('git-reason').textContent).toContain('The agent is working'),
    );
    expect(screen.getByTestId('git-commit').getAttribute('aria-disabled')).toBe('true');
    expect(screen.getByTestId('git-sync').getAttribute('aria-disabled')).toBe('true');
    expect(screen.getByTestId('git-merge').getAttribute('aria-disabled')).toBe('true');
  });
});
