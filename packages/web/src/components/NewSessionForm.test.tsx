// @vitest-environment happy-dom
import '../test/dom';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { DraftStore } from '../state/drafts';
import { makeSession, makeWorkspace, memoryStorage } from '../test/sessions';
import { fail, ok, renderWithBackend } from './git/test-backend';
import { NewSessionForm } from './NewSessionForm';

const workspace = makeWorkspace();

describe('the new-session form', () => {
  it.each([
    ['the name', 'new-session-name', { ctrlKey: true }],
    ['the base branch', 'new-session-base-branch', { metaKey: true }],
    ['the model', 'new-session-model', { ctrlKey: true }],
    ['the prompt', 'new-session-prompt', { metaKey: true }],
  ])('creates the session on Ctrl/Cmd+Enter from %s', async (_, testId, modifier) => {
    const onCreated = vi.fn();
    const { callsTo } = renderWithBackend(<NewSessionForm workspace={workspace} onCreated={onCreated} />, {
      'GET /workspaces/ws_1/branches': () => ok({ defaultBranch: 'main', branches: [] }),
      'POST /workspaces/ws_1/sessions': () => ok(makeSession('s1')),
    });
    fireEvent.change(screen.getByTestId('new-session-name'), { target: { value: 'brave-otter' } });
    fireEvent.keyDown(screen.getByTestId(testId), { key: 'Enter', ...modifier });
    await waitFor(() => expect(onCreated).toHaveBeenCalledOnce());
    expect(callsTo('POST', '/workspaces/ws_1/sessions')[0]?.body).toMatchObject({ name: 'brave-otter' });
  });

  it('leaves a plain Enter in the prompt to the prompt', () => {
    const { callsTo } = renderWithBackend(<NewSessionForm workspace={workspace} onCreated={vi.fn()} />, {
      'GET /workspaces/ws_1/branches': () => ok({ defaultBranch: 'main', branches: [] }),
    });
    fireEvent.keyDown(screen.getByTestId('new-session-prompt'), { key: 'Enter' });
    expect(callsTo('POST', '/workspaces/ws_1/sessions')).toHaveLength(0);
  });

  it('names a refused field as the form labels it and ties the error to that field', async () => {
    renderWithBackend(<NewSessionForm workspace={workspace} onCreated={vi.fn()} />, {
      'GET /workspaces/ws_1/branches': () => ok({ defaultBranch: 'main', branches: [] }),
      'POST /workspaces/ws_1/sessions': () => ({
        status: 400,
        body: {
          error: {
            code: 'bad_request',
            message: 'Invalid request: name: use letters, digits, "-", "_" and "."',
            field: 'name',
            fieldMessage: 'use letters, digits, "-", "_" and "."',
          },
        },
      }),
    });
    const name = screen.getByTestId('new-session-name');
    fireEvent.change(name, { target: { value: 'x;touch pwn' } });
    fireEvent.click(screen.getByTestId('new-session-create'));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('Name: use letters, digits, "-", "_" and "."');
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(name.getAttribute('aria-describedby')).toBe(alert.id);
    expect(screen.getByTestId('new-session-base-branch').hasAttribute('aria-invalid')).toBe(false);
  });

  it.each([
    ['the default model from Settings, preselected', undefined, 'opus'],
    ['the model the user picks instead', 'haiku', 'haiku'],
  ])('sends %s', async (_, picked, sent) => {
    const { callsTo } = renderWithBackend(<NewSessionForm workspace={workspace} onCreated={vi.fn()} />, {
      'GET /workspaces/ws_1/branches': () => ok({ defaultBranch: 'main', branches: [] }),
      'GET /settings': () => ok({ defaultModel: 'opus', archiveAfterMerge: false }),
      'POST /workspaces/ws_1/sessions': () => ok(makeSession('s1')),
    });
    const model = screen.getByTestId('new-session-model') as HTMLSelectElement;
    await waitFor(() => expect(model.value).toBe('opus'));
    if (picked) fireEvent.change(model, { target: { value: picked } });
    fireEvent.click(screen.getByTestId('new-session-create'));
    await waitFor(() => expect(callsTo('POST', '/workspaces/ws_1/sessions')).toHaveLength(1));
    expect(callsTo('POST', '/workspaces/ws_1/sessions')[0]?.body).toMatchObject({ model: sent });
  });

  it('leaves the model to the backend when Settings has no default (or cannot be read)', async () => {
    const { callsTo } = renderWithBackend(<NewSessionForm workspace={workspace} onCreated={vi.fn()} />, {
      'GET /workspaces/ws_1/branches': () => ok({ defaultBranch: 'main', branches: [] }),
      'POST /workspaces/ws_1/sessions': () => ok(makeSession('s1')),
    });
    const model = screen.getByTestId('new-session-model') as HTMLSelectElement;
    await waitFor(() => expect(callsTo('GET', '/settings')).toHaveLength(1));
    expect(model.selectedOptions[0]?.textContent).toBe('Default (ChatML settings)');
    fireEvent.click(screen.getByTestId('new-session-create'));
    await waitFor(() => expect(callsTo('POST', '/workspaces/ws_1/sessions')).toHaveLength(1));
    expect(callsTo('POST', '/workspaces/ws_1/sessions')[0]?.body).not.toHaveProperty('model');
  });
});

describe('the new-session form’s prompt draft', () => {
  function openForm(drafts: DraftStore, create: () => ReturnType<typeof ok> = () => ok(makeSession('s1'))) {
    cleanup();
    const onCreated = vi.fn();
    const backend = renderWithBackend(
      <NewSessionForm workspace={workspace} onCreated={onCreated} />,
      {
        'GET /workspaces/ws_1/branches': () => ok({ defaultBranch: 'main', branches: [] }),
        'POST /workspaces/ws_1/sessions': create,
      },
      { drafts },
    );
    const prompt = screen.getByTestId('new-session-prompt') as HTMLTextAreaElement;
    return { ...backend, onCreated, prompt };
  }

  it('keeps the prompt per workspace through leaving the form, until the session is created', async () => {
    const storage = memoryStorage();
    const drafts = new DraftStore(storage);
    fireEvent.change(openForm(drafts).prompt, { target: { value: 'fix the flaky test' } });
    drafts.flush();
    const reloaded = new DraftStore(storage);
    const { prompt, onCreated } = openForm(reloaded);
    expect(prompt.value).toBe('fix the flaky test');
    expect([prompt.selectionStart, prompt.selectionEnd]).toEqual([18, 18]);
    fireEvent.click(screen.getByTestId('new-session-create'));
    await waitFor(() => expect(onCreated).toHaveBeenCalledOnce());
    expect(openForm(reloaded).prompt.value).toBe('');
    reloaded.flush();
    expect(storage.data.size).toBe(0);
  });

  it('keeps the prompt when creating the session fails', async () => {
    const drafts = new DraftStore(memoryStorage());
    const { prompt } = openForm(drafts, () => fail(500, 'internal', 'git worktree add failed'));
    fireEvent.change(prompt, { target: { value: 'fix the flaky test' } });
    fireEvent.click(screen.getByTestId('new-session-create'));
    await screen.findByRole('alert');
    expect(openForm(drafts).prompt.value).toBe('fix the flaky test');
  });
});
