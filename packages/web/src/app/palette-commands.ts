import type { Session, Workspace } from '@chatml/protocol';
import type { PaletteCommand } from '../components/CommandPalette';
import { gitPaletteCommands } from '../components/git/git-actions';
import { statusLabel } from '../components/StatusBadge';
import type { Catalog } from '../state/catalog';
import { sessionsOf } from '../state/catalog';
import { navigate } from './router';
import { SETTINGS_PATH, sessionPath, workspacePath } from './routes';
import type { Services } from './services';
import { SHORTCUTS } from './shortcuts';

const keysOf = (id: string) => SHORTCUTS.find((shortcut) => shortcut.id === id)?.keys;

/** Open a session and put the keyboard in its message box, where a switch usually leads. */
function openSession(session: Session): void {
  navigate(sessionPath(session.workspaceId, session.id));
  requestAnimationFrame(() => document.getElementById('composer-input')?.focus());
}

/** Everything the palette offers right now: actions that apply here, then sessions and workspaces. */
export function buildPaletteCommands(options: {
  services: Pick<Services, 'api' | 'preferences'>;
  catalog: Catalog;
  workspace: Workspace | undefined;
  session: Session | undefined;
  isArchivedShown: boolean;
  actions: {
    newSession: () => void;
    addRepository: () => void;
    archive: (session: Session) => void;
    removeWorkspace: (workspace: Workspace) => void;
    help: () => void;
  };
}): PaletteCommand[] {
  const { services, catalog, workspace, session, isArchivedShown, actions } = options;
  const { api, preferences } = services;
  const commands: PaletteCommand[] = [
    {
      id: 'new-session',
      group: 'Actions',
      label: 'New session',
      hint: keysOf('newSession'),
      run: actions.newSession,
    },
  ];
  if (session) {
    const isChangesOpen = preferences.isChangesOpen.get();
    commands.push({
      id: 'toggle-changes',
      group: 'Actions',
      label: isChangesOpen ? 'Hide changes' : 'Show changes',
      hint: keysOf('toggleChanges'),
      keywords: ['diff', 'toggle'],
      run: () => preferences.isChangesOpen.set(!isChangesOpen),
    });
    if (session.status === 'running' || session.status === 'waiting_permission') {
      commands.push({
        id: 'interrupt',
        group: 'Actions',
        label: `Interrupt ${session.name}`,
        keywords: ['stop', 'cancel'],
        run: () => void api.interrupt(session.id).catch(() => undefined),
      });
    }
    commands.push(...gitPaletteCommands(session));
    if (session.status !== 'archived') {
      commands.push({
        id: 'archive',
        group: 'Actions',
        label: `Archive ${session.name}…`,
        run: () => actions.archive(session),
      });
    }
  }
  commands.push(
    {
      id: 'toggle-archived',
      group: 'Actions',
      label: isArchivedShown ? 'Hide archived sessions' : 'Show archived sessions',
      run: () => preferences.isArchivedShown.set(!isArchivedShown),
    },
    {
      id: 'theme-light',
      group: 'Actions',
      label: 'Theme: light',
      keywords: ['appearance'],
      run: () => preferences.theme.set('light'),
    },
    {
      id: 'theme-dark',
      group: 'Actions',
      label: 'Theme: dark',
      keywords: ['appearance'],
      run: () => preferences.theme.set('dark'),
    },
    {
      id: 'theme-system',
      group: 'Actions',
      label: 'Theme: follow the system',
      keywords: ['appearance', 'auto'],
      run: () => preferences.theme.set('system'),
    },
    {
      id: 'help',
      group: 'Actions',
      label: 'Keyboard shortcuts',
      hint: '?',
      keywords: ['help'],
      run: actions.help,
    },
    {
      id: 'settings',
      group: 'Actions',
      label: 'Settings',
      keywords: ['api key', 'credentials', 'notifications'],
      run: () => navigate(SETTINGS_PATH),
    },
    { id: 'add-repository', group: 'Actions', label: 'Add a repository', run: actions.addRepository },
  );
  if (workspace) {
    commands.push({
      id: 'remove-workspace',
      group: 'Actions',
      label: `Remove ${workspace.name} from ChatML…`,
      keywords: ['delete', 'workspace', 'repository', 'forget'],
      isDestructive: true,
      run: () => actions.removeWorkspace(workspace),
    });
  }
  for (const candidate of catalog.workspaces) {
    for (const listed of sessionsOf(catalog, candidate.id)) {
      if (listed.id === session?.id) continue;
      commands.push({
        id: `session:${listed.id}`,
        group: 'Sessions',
        label: listed.name,
        hint: `${candidate.name} · ${statusLabel(listed.status)}`,
        keywords: [listed.branch, candidate.name],
        run: () => openSession(listed),
      });
    }
    if (candidate.id !== workspace?.id) {
      commands.push({
        id: `workspace:${candidate.id}`,
        group: 'Workspaces',
        label: candidate.name,
        hint: candidate.path,
        run: () => navigate(workspacePath(candidate.id)),
      });
    }
  }
  return commands;
}
