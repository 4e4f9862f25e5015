// @vitest-environment happy-dom
import '../test/dom';
import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { AddWorkspaceForm } from './AddWorkspaceForm';
import { renderWithBackend } from './git/test-backend';

describe('adding a repository', () => {
  it('says what is missing when the path is left empty, and asks the backend nothing', async () => {
    const { callsTo } = renderWithBackend(<AddWorkspaceForm onAdded={vi.fn()} />, {});
    fireEvent.click(screen.getByTestId('add-repo-submit'));
    expect((await screen.findByTestId('add-repo-error')).textContent).toContain('Type the full path');
    expect(callsTo('POST', '/workspaces')).toHaveLength(0);
  });

  it("shows the backend's own reason as it is", async () => {
    renderWithBackend(<AddWorkspaceForm onAdded={vi.fn()} />, {
      'POST /workspaces': () => ({
        status: 400,
        body: { error: { code: 'bad_request', message: '"app" is not a full path: give the folder…' } },
      }),
    });
    fireEvent.change(screen.getByTestId('add-repo-path'), { target: { value: 'app' } });
    fireEvent.click(screen.getByTestId('add-repo-submit'));
    const error = await screen.findByTestId('add-repo-error');
    expect(error.textContent).toContain('is not a full path');
    // The path field is marked and described by the reason, for screen readers.
    const field = screen.getByTestId('add-repo-path');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(field.getAttribute('aria-describedby')).toBe(error.id);
    expect(screen.getByTestId('clone-url').hasAttribute('aria-invalid')).toBe(false);
  });
});
