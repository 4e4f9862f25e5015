// @vitest-environment happy-dom
import '../test/dom';
import type { Session } from '@chatml/protocol';
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createServices, ServicesProvider } from '../app/services';
import { makeSession } from '../test/sessions';
import { SessionHeader } from './SessionHeader';

function renderHeader(session: Session) {
  render(
    <ServicesProvider services={createServices('token-for-tests')}>
      <SessionHeader
        session={session}
        isChangesOpen={false}
        onToggleChanges={() => {}}
        onArchive={() => {}}
      />
    </ServicesProvider>,
  );
}

describe('SessionHeader', () => {
  it('offers the model and permission mode of a live session to change', () => {
    renderHeader(makeSession('live', { model: 'opus' }));
    expect((screen.getByRole('combobox', { name: 'Model' }) as HTMLSelectElement).value).toBe('opus');
    expect(screen.getByRole('combobox', { name: 'Permission mode' })).toBeTruthy();
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
