// @vitest-environment happy-dom
import '../test/dom';
import type { Workspace } from '@chatml/protocol';
import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { renderWithBackend } from './git/test-backend';
import { WorkspaceHome } from './WorkspaceHome';

const workspace: Workspace = {
  id: 'ws_1',
  name: 'widgets',
  path: '/src/widgets',
  baseBranch: 'main',
  remoteUrl: null,
  status: 'ready',
  statusDetail: null,
  createdAt: 1_796_205_600_000,
};

describe('a workspace whose repository folder is gone', () => {
  it('says so instead of offering a new session, and still offers removing it', () => {
    const onRemove = vi.fn();
    renderWithBackend(
      <WorkspaceHome
        workspace={{ ...workspace, folderMissing: true }}
        onCreated={vi.fn()}
        onRemove={onRemove}
      />,
      {},
    );
    expect(screen.getByTestId('workspace-folder-missing').textContent).toContain(
      'The repository folder /src/widgets is missing (moved or deleted?).',
    );
    expect(screen.queryByTestId('new-session-prompt')).toBeNull();
    expect(screen.queryByText(/Cloning/)).toBeNull();
    fireEvent.click(screen.getByTestId('remove-workspace'));
    expect(onRemove).toHaveBeenCalled();
  });
});
