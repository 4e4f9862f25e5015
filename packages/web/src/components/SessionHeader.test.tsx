// @vitest-environment happy-dom
import '../test/dom';
import type { Session } from '@chatml/protocol';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../api/rest-client';
import { createServices, ServicesProvider } from '../app/services';
import { CatalogStore } from '../state/catalog-store';
import { makeSession } from '../test/sessions';
import { SessionHeader } from './SessionHeader';

function renderHeader(session: Session, api?: ApiClient) {
  const services = createServices('token-for-tests');
  const withApi = api ? { ...services, api, catalog: new CatalogStore(api, services.ws) } : services;
  const header = (shown: Session) => (
    <ServicesProvider services={withApi}>
      <SessionHeader session={shown} isChangesOpen={false} onToggleChanges={() => {}} onArchive={() => {}} />
    </ServicesProvider>
  );
  const { rerender } = render(header(session));
  return {
    catalog: withApi.catalog,
    /** What the session list does when the session changes: the header gets the new session. */
    showSession: (next: Session) => rerender(header(next)),
  };
}

describe('SessionHeader', () => {
  it('offers the model and permission mode of a live session to change', () => {
    renderHeader(makeSession('live', { model: 'opus' }));
    expect((screen.getByRole('combobox', { name: 'Model' }) as HTMLSelectElement).value).toBe('opus');
    expect(screen.getByRole('combobox', { name: 'Permission mode' })).toBeTruthy();
  });

  it('shows a picked model at once, while the backend has not answered yet', async () => {
    const answers: ((response: Response) => void)[] = [];
    const api = new ApiClient('token-for-tests', {
      fetch: () => new Promise<Response>((resolve) => answers.push(resolve)),
    });
    const { catalog, showSession } = renderHeader(makeSession('live'), api);
    const model = screen.getByRole('combobox', { name: 'Model' }) as HTMLSelectElement;
    fireEvent.change(model, { target: { value: 'opus' } });
    expect(model.value).toBe('opus');
    expect(answers).toHaveLength(1);
    await act(async () => answers[0]?.(json(200, makeSession('live', { model: 'opus' }))));
    const updated = catalog.getSnapshot().catalog.sessions.get('live');
    expect(updated?.model).toBe('opus');
    if (updated) showSession(updated);
    expect(model.value).toBe('opus');
  });

  it('goes back to the session’s setting, and says why, when the backend refuses the change', async () => {
    const answers: ((response: Response) => void)[] = [];
    const api = new ApiClient('token-for-tests', {
      fetch: () => new Promise<Response>((resolve) => answers.push(resolve)),
    });
    renderHeader(makeSession('live', { permissionMode: 'acceptEdits' }), api);
    const mode = screen.getByRole('combobox', { name: 'Permission mode' }) as HTMLSelectElement;
    fireEvent.change(mode, { target: { value: 'plan' } });
    expect(mode.value).toBe('plan');
    const refusal = { error: { code: 'conflict', message: 'The session is being archived.' } };
    await act(async () => answers[0]?.(json(409, refusal)));
    expect(mode.value).toBe('acceptEdits');
    expect(screen.getByRole('alert').textContent).toContain('The session is being archived.');
  });

  it('shows an archived session’s settings as text that says how to change them', () => {
    renderHeader(makeSession('done', { status: 'archived', model: 'opus', permissionMode: 'acceptEdits' }));
    expect(screen.queryByRole('combobox')).toBeNull();
    const [model, mode] = screen.getAllByTestId('read-only-setting');
    expect(model?.title).toBe('Restore the session to change its model');
    expect(model?.textContent).toBe('Model: Opus (Restore the session to change its model)');
    expect(mode?.title).toBe('Restore the session to change its permission mode');
    expect(mode?.textContent).toContain('Accept edits automatically');
  });

  it('keeps the full name and branch in tooltips, for when the header truncates them', () => {
    const name = 'a-session-name-far-too-long-for-a-narrow-pane';
    renderHeader(makeSession(name));
    expect(screen.getByRole('heading', { name }).title).toBe(name);
    expect(screen.getByText(`chatml/${name}`).title).toBe(`chatml/${name}`);
  });

  it('words the permission modes briefly in its select, with the full wording as the tooltip', () => {
    renderHeader(makeSession('live', { permissionMode: 'acceptEdits' }));
    const mode = screen.getByRole('combobox', { name: 'Permission mode' }) as HTMLSelectElement;
    expect(mode.title).toBe('Accept edits automatically');
    expect([...mode.options].map((option) => option.text)).toEqual([
      'Ask (default)',
      'Accept edits',
      'Plan only',
      'Never ask',
    ]);
    expect(mode.options[0]?.title).toBe('Ask before risky tools (default)');
  });

  it('keeps the settings and buttons together, so a narrow pane wraps them as one line', () => {
    renderHeader(makeSession('live'));
    const controls = screen.getByRole('button', { name: 'Archive…' }).parentElement;
    expect(controls?.className).toBe('session-controls trailing-group');
    expect(controls?.contains(screen.getByRole('combobox', { name: 'Model' }))).toBe(true);
    expect(controls?.contains(screen.getByRole('button', { name: 'Changes' }))).toBe(true);
    expect(controls?.contains(screen.getByRole('heading'))).toBe(false);
  });
});

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
