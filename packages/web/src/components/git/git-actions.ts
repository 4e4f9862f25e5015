import type { Session } from '@chatml/protocol';
import { useEffect, useRef } from 'react';
import type { PaletteCommand } from '../CommandPalette';

/** The session git actions that open a dialog; the palette asks for them by name. */
export type GitAction = 'commit' | 'sync' | 'merge' | 'push' | 'pull-request' | 'pull-request-status';

const bus = new EventTarget();
const EVENT = 'chatml:git-action';

interface Request {
  sessionId: string;
  action: GitAction;
}

/** Ask the shown session's git bar to start `action` (from the palette or anywhere else). */
export function requestGitAction(sessionId: string, action: GitAction): void {
  bus.dispatchEvent(new CustomEvent<Request>(EVENT, { detail: { sessionId, action } }));
}

/** The git bar of `sessionId` listens while it is mounted; `handle` may change every render. */
export function useGitActionRequests(sessionId: string, handle: (action: GitAction) => void): void {
  const handleRef = useRef(handle);
  handleRef.current = handle;
  useEffect(() => {
    const listener = (event: Event) => {
      const { detail } = event as CustomEvent<Request>;
      if (detail.sessionId === sessionId) handleRef.current(detail.action);
    };
    bus.addEventListener(EVENT, listener);
    return () => bus.removeEventListener(EVENT, listener);
  }, [sessionId]);
}

/** Palette entries for the shown session's way out (the git bar says why one cannot run now). */
export function gitPaletteCommands(session: Session | undefined): PaletteCommand[] {
  if (!session) return [];
  const command = (action: GitAction, label: string, keywords: string[]): PaletteCommand => ({
    id: `git:${action}`,
    group: 'Actions',
    label,
    keywords: ['git', ...keywords],
    run: () => requestGitAction(session.id, action),
  });
  if (session.status === 'archived') return [];
  return [
    command('commit', 'Commit changes…', ['save', 'message']),
    command('sync', `Sync with ${session.baseBranch}…`, ['rebase', 'merge', 'update', 'pull']),
    command('merge', `Merge into ${session.baseBranch}…`, ['squash', 'merge back', 'land']),
    command('push', 'Push branch', ['remote', 'upload']),
    command('pull-request', 'Create pull request…', ['pr', 'github']),
    command('pull-request-status', 'Show pull request status', ['pr', 'checks', 'review', 'comments']),
  ];
}
