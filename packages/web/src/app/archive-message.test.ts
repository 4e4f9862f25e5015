import { describe, expect, it } from 'vitest';
import { makeSession } from '../test/sessions';
import { archiveMessage } from './archive-message';

describe('the archive confirmation', () => {
  it('says what in flight archiving stops or drops, before what it always does', () => {
    const idle = archiveMessage(makeSession('idle'));
    expect(idle).toMatch(/^Its agent stops and its worktree is removed\./);
    const running = archiveMessage({
      ...makeSession('running'),
      status: 'running',
      gitState: {
        sync: { strategy: 'rebase', conflicts: ['a.ts'] },
        worktreeMissing: false,
        branchMissing: false,
      },
    });
    expect(running).toMatch(/^Its running turn is stopped \(a pending permission request is denied\)\. /);
    expect(running).toContain('The unfinished rebase with main is dropped; its conflicted files are saved');
    expect(running).toContain('Uncommitted work is saved to an archive ref first');
  });

  it('says queued messages will not be sent', () => {
    expect(archiveMessage(makeSession('one', { status: 'running', queuedMessages: 1 }))).toContain(
      'The queued message is not sent (not after a restore either).',
    );
    expect(archiveMessage(makeSession('two', { status: 'running', queuedMessages: 2 }))).toContain(
      'The 2 queued messages are not sent',
    );
    expect(archiveMessage(makeSession('none'))).not.toContain('queued');
  });
});
