// @vitest-environment happy-dom
import '../test/dom';
import type { Session } from '@chatml/protocol';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { makeWorkspace } from '../test/sessions';
import { renderWithBackend } from './git/test-backend';
import { RemoveWorkspaceDialog, removalMessage } from './RemoveWorkspaceDialog';

const workspace = makeWorkspace();

const session = (id: string, status: Session['status']) => ({ id, status }) as Session;

describe('removing a workspace', () => {
  it('says which sessions are archived and that the repository and branches stay', () => {
    const message = removalMessage(workspace, [
      session('s1', 'idle'),
      session('s2', 'running'),
      session('s3', 'archived'),
    ]);
    expect(message).toContain('Its 2 active sessions are archived first');
    expect(message).toContain('uncommitted work is saved to an archive ref');
    expect(message).toContain('The repository at /src/widgets, its branches');
    expect(removalMessage(workspace, [session('s3', 'archived')])).toContain('It has no active sessions.');
  });

  it('removes only after the confirmation, then closes', async () => {
    const onClose = vi.fn();
    const { callsTo } = renderWithBackend(
      <RemoveWorkspaceDialog workspace={workspace} sessions={[session('s1', 'idle')]} onClose={onClose} />,
      { 'DELETE /workspaces/ws_1': () => ({ status: 204 }) },
    );
    expect(screen.getByTestId('confirm-dialog').textContent).toContain(
      'Its active session is archived first',
    );
    expect(callsTo('DELETE', '/workspaces/ws_1')).toHaveLength(0);
    fireEvent.click(screen.getByTestId('confirm-dialog-confirm'));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(callsTo('DELETE', '/workspaces/ws_1')).toHaveLength(1);
  });

  it('keeps a failure in the dialog', async () => {
    const onClose = vi.fn();
    renderWithBackend(<RemoveWorkspaceDialog workspace={workspace} sessions={[]} onClose={onClose} />, {
      'DELETE /workspaces/ws_1': () => ({
        status: 409,
        body: { error: { code: 'conflict', message: 'A session could not be archived.' } },
      }),
    });
    fireEvent.click(screen.getByTestId('confirm-dialog-confirm'));
    expect((await screen.findByRole('alert')).textContent).toContain('A session could not be archived.');
    expect(onClose).not.toHaveBeenCalled();
  });
});
