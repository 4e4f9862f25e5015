// @vitest-environment happy-dom
import '../../test/dom';
import { act, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeSession } from '../../test/sessions';
import { GitBar } from './GitBar';
import { gitPaletteCommands } from './git-actions';
import { commitList, ok, renderWithBackend } from './test-backend';

describe('git commands in the palette', () => {
  it('open the shown session’s dialogs, and none for other sessions', async () => {
    const session = makeSession('s1');
    renderWithBackend(<GitBar session={session} isRunning={false} />, {
      'GET /sessions/s1/commits': () => ok(commitList({ commits: 1, uncommitted: ['a.txt'] })),
    });
    const commands = gitPaletteCommands(session);
    expect(commands.map((command) => command.label)).toEqual([
      'Commit changes…',
      'Sync with main…',
      'Merge into main…',
      'Push branch',
      'Create pull request…',
      'Show pull request status',
    ]);
    act(() => gitPaletteCommands(makeSession('s2'))[0]?.run());
    expect(screen.getByTestId('commit-dialog').hasAttribute('open')).toBe(false);

    act(() => commands.find((command) => command.id === 'git:merge')?.run());
    await waitFor(() => expect(screen.getByTestId('merge-dialog').hasAttribute('open')).toBe(true));
  });

  it('are not offered for an archived session', () => {
    expect(gitPaletteCommands(makeSession('s1', { status: 'archived' }))).toEqual([]);
  });
});
