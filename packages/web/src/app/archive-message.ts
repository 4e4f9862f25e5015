import type { Session } from '@chatml/protocol';

/** What archiving this session will do, including what is in flight that it stops or drops. */
export function archiveMessage(session: Session | undefined): string {
  const inFlight = [
    session?.status === 'running' || session?.status === 'waiting_permission'
      ? 'Its running turn is stopped (a pending permission request is denied).'
      : undefined,
    session?.gitState?.sync
      ? `The unfinished ${session.gitState.sync.strategy} with ${session.baseBranch} is dropped; its conflicted files are saved as uncommitted work.`
      : undefined,
    session && session.queuedMessages > 0
      ? `${session.queuedMessages === 1 ? 'The queued message is' : `The ${session.queuedMessages} queued messages are`} not sent (not after a restore either).`
      : undefined,
  ].filter(Boolean);
  return [
    ...inFlight,
    'Its agent stops and its worktree is removed. Uncommitted work is saved to an archive ref first (with small git-ignored files such as .env; ignored folders such as node_modules/ are not saved); the branch and this conversation are kept.',
  ].join(' ');
}
