// @vitest-environment happy-dom
import '../test/dom';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { CommandPalette, type PaletteCommand } from './CommandPalette';

function setup() {
  const runs: string[] = [];
  const command = (
    id: string,
    group: PaletteCommand['group'],
    label: string,
    hint?: string,
  ): PaletteCommand => ({
    id,
    group,
    label,
    hint,
    run: () => runs.push(id),
  });
  const onClose = vi.fn();
  render(
    <CommandPalette
      isOpen
      onClose={onClose}
      commands={[
        command('new-session', 'Actions', 'New session', 'Alt+N'),
        command('theme-dark', 'Actions', 'Theme: dark'),
        command('session:1', 'Sessions', 'planner', 'app · idle'),
        command('session:2', 'Sessions', 'greeter', 'app · running'),
        command('workspace:2', 'Workspaces', 'other-repo'),
        {
          ...command('remove-workspace', 'Actions', 'Remove demo from ChatML…'),
          keywords: ['delete', 'forget'],
          isDestructive: true,
        },
      ]}
    />,
  );
  const input = screen.getByRole('combobox');
  return { runs, onClose, input };
}

describe('CommandPalette', () => {
  it('opens as a labelled dialog with focus in its search box', () => {
    const { input } = setup();
    expect(screen.getByRole('dialog', { name: 'Command palette' })).toBeTruthy();
    expect(document.activeElement).toBe(input);
    expect(screen.getAllByRole('option').map((option) => option.textContent)).toEqual([
      'New sessionAlt+N',
      'Theme: dark',
      'Remove demo from ChatML…',
      'plannerapp · idle',
      'greeterapp · running',
      'other-repo',
    ]);
  });

  it('lists a destructive command only for a close match, never as the best of loose ones', async () => {
    const { input } = setup();
    const shown = () => screen.queryAllByRole('option').map((option) => option.textContent);
    // Loosely, "refac" matches "Remove … from ChatML" (r…e…f…) — not enough for this one.
    fireEvent.change(input, { target: { value: 'refac' } });
    await waitFor(() => expect(shown()).not.toContain('Remove demo from ChatML…'));
    for (const typed of ['remove', 'forget', 'delete']) {
      fireEvent.change(input, { target: { value: typed } });
      await waitFor(() => expect(shown()[0]).toBe('Remove demo from ChatML…'));
    }
  });

  it('matches fuzzily and runs the chosen command with Enter, closing first', async () => {
    const { input, runs, onClose } = setup();
    fireEvent.change(input, { target: { value: 'plnr' } });
    await waitFor(() =>
      expect(screen.getAllByRole('option').map((option) => option.textContent)).toEqual([
        'plannerapp · idle',
      ]),
    );
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(onClose).toHaveBeenCalled();
    expect(runs).toEqual(['session:1']);
  });

  it('puts a session whose name was typed above loosely matching actions, so Enter switches to it', async () => {
    const runs: string[] = [];
    render(
      <CommandPalette
        isOpen
        onClose={() => {}}
        commands={[
          {
            id: 'git:pr-status',
            group: 'Actions',
            label: 'Show pull request status',
            keywords: ['git', 'pr', 'checks'],
            run: () => runs.push('pr'),
          },
          { id: 'theme-dark', group: 'Actions', label: 'Theme: dark', run: () => runs.push('theme') },
          {
            id: 'session:ses_quaint',
            group: 'Sessions',
            label: 'quaint-donkey',
            hint: 'demo · idle',
            keywords: ['chatml/quaint-donkey', 'demo'],
            run: () => runs.push('quaint'),
          },
        ]}
      />,
    );
    const input = screen.getByRole('combobox');
    fireEvent.change(input, { target: { value: 'quaint' } });
    await waitFor(() =>
      expect(screen.getByRole('option', { selected: true }).textContent).toBe('quaint-donkeydemo · idle'),
    );
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(runs).toEqual(['quaint']);
  });

  it('does not list commands whose words only scatter the typed letters', async () => {
    const { input, runs } = setup();
    // "eonin" scatters over "New session" (score 0.0008), unlike the abbreviation "plnr" above.
    fireEvent.change(input, { target: { value: 'eonin' } });
    await waitFor(() => expect(screen.getByText('Nothing matches.')).toBeTruthy());
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(runs).toEqual([]);
  });

  it('moves through the list with the arrow keys', async () => {
    const { input, runs } = setup();
    for (let step = 0; step < 3; step++) fireEvent.keyDown(input, { key: 'ArrowDown' });
    await waitFor(() =>
      expect(screen.getByRole('option', { selected: true }).textContent).toBe('plannerapp · idle'),
    );
    expect(input.getAttribute('aria-activedescendant')).toBe(
      screen.getByRole('option', { selected: true }).id,
    );
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(runs).toEqual(['session:1']);
  });

  it('says so when nothing matches', async () => {
    const { input } = setup();
    fireEvent.change(input, { target: { value: 'zzzzqqq' } });
    await waitFor(() => expect(screen.getByText('Nothing matches.')).toBeTruthy());
  });
});
