// @vitest-environment happy-dom
import '../test/dom';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { PermissionItem } from '../state/transcript-types';
import { PermissionPrompt } from './PermissionPrompt';

const request: PermissionItem = {
  kind: 'permission',
  key: 'permission:r1',
  ts: 1,
  turnId: 't1',
  requestId: 'r1',
  tool: 'Bash',
  input: { command: 'rm -rf build' },
  reason: undefined,
  state: 'pending',
  toolKey: undefined,
  decidedBy: undefined,
  message: undefined,
};

describe('PermissionPrompt', () => {
  it('shows the tool and what it would run', () => {
    render(<PermissionPrompt item={request} onDecide={vi.fn()} />);
    expect(screen.getByRole('region', { name: 'Permission for Bash' })).toBeTruthy();
    expect(screen.getByText('$ rm -rf build')).toBeTruthy();
  });

  it('allows', async () => {
    const onDecide = vi.fn().mockResolvedValue(undefined);
    render(<PermissionPrompt item={request} onDecide={onDecide} />);
    fireEvent.click(screen.getByRole('button', { name: 'Allow' }));
    await waitFor(() => expect(onDecide).toHaveBeenCalledWith({ allow: true }));
    expect(screen.getByRole('button', { name: 'Deny' }).getAttribute('aria-disabled')).toBe('true');
  });

  it('hands the keyboard focus on after a decision: to the next request waiting', async () => {
    const onDecide = vi.fn().mockResolvedValue(undefined);
    render(
      <>
        <PermissionPrompt item={request} onDecide={onDecide} />
        <PermissionPrompt item={{ ...request, requestId: 'req_2', tool: 'Write' }} onDecide={onDecide} />
      </>,
    );
    const [firstAllow, secondAllow] = screen.getAllByRole('button', { name: 'Allow' });
    firstAllow?.focus();
    fireEvent.click(firstAllow as HTMLElement);
    // Still focusable while the decision is sent (not `disabled`)…
    expect(document.activeElement).toBe(firstAllow);
    // …then on to the next request.
    await waitFor(() => expect(document.activeElement).toBe(secondAllow));
  });

  it('hands the keyboard focus on after a decision: to the message box when none is left', async () => {
    const onDecide = vi.fn().mockResolvedValue(undefined);
    render(
      <>
        <PermissionPrompt item={request} onDecide={onDecide} />
        <textarea id="composer-input" aria-label="Message" />
      </>,
    );
    const reason = screen.getByLabelText('Reason for denying (optional)');
    reason.focus();
    fireEvent.keyDown(reason, { key: 'Enter' });
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Message')));
    expect(onDecide).toHaveBeenCalledWith({ allow: false });
  });

  it('denies with the optional reason', async () => {
    const onDecide = vi.fn().mockResolvedValue(undefined);
    render(<PermissionPrompt item={request} onDecide={onDecide} />);
    fireEvent.change(screen.getByLabelText('Reason for denying (optional)'), {
      target: { value: 'not now' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Deny' }));
    await waitFor(() => expect(onDecide).toHaveBeenCalledWith({ allow: false, message: 'not now' }));
  });

  it('shows a failed decision and lets the user try again', async () => {
    const onDecide = vi.fn().mockRejectedValue(new Error('Session ses_1 is archived.'));
    render(<PermissionPrompt item={request} onDecide={onDecide} />);
    fireEvent.click(screen.getByRole('button', { name: 'Allow' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Session ses_1 is archived.');
    expect(screen.getByRole('button', { name: 'Allow' }).getAttribute('aria-disabled')).toBeNull();
  });

  it('shows an edit as the file and its -/+ lines', () => {
    const edit = {
      ...request,
      tool: 'Edit',
      input: { file_path: 'a.txt', old_string: 'x', new_string: 'y' },
    };
    render(<PermissionPrompt item={edit} onDecide={vi.fn()} />);
    expect(
      screen.getByText('a.txt - x + y', { normalizer: (text) => text.replace(/\s+/g, ' ').trim() }),
    ).toBeTruthy();
  });
});
