// @vitest-environment happy-dom
import '../test/dom';
import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { makeWorkspace } from '../test/sessions';
import { renderWithBackend } from './git/test-backend';
import { WorkspaceHome } from './WorkspaceHome';

const workspace = makeWorkspace();

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
