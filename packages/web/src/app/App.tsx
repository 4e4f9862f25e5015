import type { Session, Workspace } from '@chatml/protocol';
import { type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { Group, Panel } from 'react-resizable-panels';
import { ApiError } from '../api/api-error';
import type { HealthDetails } from '../api/rest-client';
import { reloadWithStoredToken, watchTokenLinks } from '../api/token';
import { AddWorkspaceForm } from '../components/AddWorkspaceForm';
import { ConnectionBanner, CredentialsNotice, DemoModelNotice } from '../components/Banners';
import { CommandPalette } from '../components/CommandPalette';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { HelpOverlay } from '../components/HelpOverlay';
import { MissingToken } from '../components/MissingToken';
import { PaneDivider, usePersistedLayout } from '../components/Panes';
import { RemoveWorkspaceDialog } from '../components/RemoveWorkspaceDialog';
import { SessionView } from '../components/SessionView';
import { SettingsView } from '../components/SettingsView';
import { Sidebar } from '../components/Sidebar';
import { NarrowBar, SidebarDrawer, useSidebarDrawer } from '../components/SidebarDrawer';
import { WorkspaceHome } from '../components/WorkspaceHome';
import { sessionsOf } from '../state/catalog';
import { applyTheme } from '../state/preferences';
import { archiveMessage } from './archive-message';
import { useIsNarrowLayout } from './narrow-layout';
import { buildPaletteCommands } from './palette-commands';
import {
  focusPermissionWhenShown,
  focusShownPermission,
  isPermissionShown,
  nextWaitingSession,
} from './pending-permission';
import { navigate, useRoute, useRoutePathname } from './router';
import { SETTINGS_PATH, sessionPath, workspacePath } from './routes';
import { useCatalog, useConnectionState, useLocalValue, useServices } from './services';
import { isTypingTarget, matchShortcut, type ShortcutId } from './shortcuts';

const LAST_WORKSPACE_KEY = 'chatml.lastWorkspace';
/** While the WebSocket is down, how often the backend is asked over HTTP whether it is back. */
const BACKEND_CHECK_MS = 3000;

/**
 * The shell: banners on top; resizable sidebar and main pane (sizes remembered) — in a narrow
 * window, a bar whose toggle opens the sidebar as a drawer over the main pane instead; the centre
 * chosen by the URL; the command palette, shortcut help and archive confirmation above everything.
 */
export function App({
  onNewToken = reloadWithStoredToken,
}: {
  /** A launch link with another token was pasted into this tab (tests replace the reload). */
  onNewToken?: (token: string) => void;
} = {}) {
  const services = useServices();
  const { api, ws, catalog, preferences } = services;
  const route = useRoute();
  const { catalog: data, loadError } = useCatalog();
  const connection = useConnectionState();
  const theme = useLocalValue(preferences.theme);
  const isArchivedShown = useLocalValue(preferences.isArchivedShown);
  const [health, setHealth] = useState<HealthDetails>();
  const [isAddingWorkspace, setIsAddingWorkspace] = useState(false);
  const [isPaletteOpen, setPaletteOpen] = useState(false);
  const [isHelpOpen, setHelpOpen] = useState(false);
  const [archiveTarget, setArchiveTarget] = useState<Session>();
  const [removeTarget, setRemoveTarget] = useState<Workspace>();
  const isNarrow = useIsNarrowLayout();
  const layout = usePersistedLayout('shell', isNarrow ? ['main'] : ['sidebar', 'main']);

  useEffect(() => applyTheme(theme), [theme]);

  useEffect(() => {
    void catalog.refresh();
  }, [catalog]);

  // Again after every reconnect: a restarted backend may run with other credentials (or the demo
  // model). A failed check needs no message of its own: the connection banner covers it.
  useEffect(() => {
    if (connection === 'connected') api.health().then(setHealth, () => undefined);
  }, [api, connection]);

  // A browser cannot see why a WebSocket upgrade failed: a backend that restarted with a new token
  // (refusing this tab's) looks just like one that is down. While the socket is lost, ask over HTTP
  // every few seconds, where a refusal is a plain 401: then say so instead of "unreachable"
  // forever. An answer means the backend is back: reconnect now rather than at the next backoff
  // step (up to 15 s away), so nothing on screen stays stale meanwhile.
  const [isTokenRefused, setTokenRefused] = useState(false);
  const isRefused = isTokenRefused || (loadError instanceof ApiError && loadError.isUnauthorized);
  useEffect(() => {
    // A refused token stays refused (each launch makes a new one, which only a link brings, see
    // below): asking again, or reconnecting the socket, would only log a 401 every few seconds.
    if (isRefused) return;
    if (connection !== 'reconnecting' && connection !== 'offline') return;
    let isCurrent = true;
    const check = () =>
      api.health().then(
        () => {
          if (isCurrent) ws.reconnectNow();
        },
        (error: unknown) => {
          if (isCurrent && error instanceof ApiError && error.isUnauthorized) setTokenRefused(true);
        },
      );
    const timer = setInterval(check, BACKEND_CHECK_MS);
    void check();
    return () => {
      isCurrent = false;
      clearInterval(timer);
    };
  }, [api, ws, connection, isRefused]);
  useEffect(() => {
    if (isRefused) ws.stop();
  }, [ws, isRefused]);

  // The fresh launch link pasted into this tab changes only the fragment (no load): take its token
  // as at load (stored, address bar cleared at once) and start over with it.
  useEffect(() => watchTokenLinks(onNewToken), [onNewToken]);

  const workspaceId = route.name === 'workspace' || route.name === 'session' ? route.workspaceId : undefined;
  const sessionId = route.name === 'session' ? route.sessionId : undefined;
  const workspace = data.workspaces.find((candidate) => candidate.id === workspaceId);
  // Pages outside a workspace (settings) keep the last one's sessions in the sidebar.
  const listedWorkspaceId =
    workspaceId ??
    (route.name === 'settings' ? (localStorage.getItem(LAST_WORKSPACE_KEY) ?? undefined) : undefined);
  const listedWorkspace = data.workspaces.find((candidate) => candidate.id === listedWorkspaceId);
  const sessions = useMemo(
    () => (listedWorkspaceId ? sessionsOf(data, listedWorkspaceId) : []),
    [data, listedWorkspaceId],
  );
  const session = sessionId ? data.sessions.get(sessionId) : undefined;

  useEffect(() => {
    if (workspaceId) localStorage.setItem(LAST_WORKSPACE_KEY, workspaceId);
    if (listedWorkspaceId) void catalog.ensureSessions(listedWorkspaceId);
  }, [catalog, workspaceId, listedWorkspaceId]);

  // Navigating anywhere (a session link, back/forward) leaves the add-repository form.
  const pathname = useRoutePathname();
  // biome-ignore lint/correctness/useExhaustiveDependencies: pathname is the trigger, not an input
  useEffect(() => setIsAddingWorkspace(false), [pathname]);
  const drawer = useSidebarDrawer(isNarrow, `${pathname} ${isAddingWorkspace}`);

  // `/` opens the last repository used, or the first; with none, it is the onboarding screen.
  const firstWorkspaceId = data.workspaces[0]?.id;
  useEffect(() => {
    if (route.name !== 'home' || !firstWorkspaceId) return;
    const last = localStorage.getItem(LAST_WORKSPACE_KEY);
    const target = data.workspaces.some((candidate) => candidate.id === last) ? last : firstWorkspaceId;
    if (target) navigate(workspacePath(target), { replace: true });
  }, [route.name, firstWorkspaceId, data.workspaces]);

  // The palette switches across workspaces, so it needs every workspace's sessions.
  useEffect(() => {
    if (!isPaletteOpen) return;
    for (const candidate of data.workspaces) void catalog.ensureSessions(candidate.id);
  }, [isPaletteOpen, data.workspaces, catalog]);

  const startNewSession = () => {
    const target =
      workspace ?? listedWorkspace ?? data.workspaces.find((candidate) => candidate.status === 'ready');
    if (!target) {
      setIsAddingWorkspace(true);
      return;
    }
    navigate(workspacePath(target.id));
    // Already there: the form is mounted, so only focus moves.
    requestAnimationFrame(() => document.getElementById('new-session-prompt')?.focus());
  };
  const listedSessions = sessions.filter(
    (candidate) => isArchivedShown || candidate.status !== 'archived' || candidate.id === sessionId,
  );
  const stepSession = (step: 1 | -1) => {
    if (listedSessions.length === 0) return;
    const index = listedSessions.findIndex((candidate) => candidate.id === sessionId);
    const next = listedSessions[(index + step + listedSessions.length) % listedSessions.length];
    if (next) navigate(sessionPath(next.workspaceId, next.id));
  };
  // A narrow window shows the conversation under neither the drawer nor the changes pane: take them
  // away (now, so the focus can move right after) before a shortcut focuses something in it.
  const revealConversation = () =>
    flushSync(() => {
      drawer.close();
      if (isNarrow) preferences.isChangesOpen.set(false);
    });
  const runShortcut: Record<ShortcutId, () => void> = {
    palette: () => setPaletteOpen(true),
    help: () => setHelpOpen(true),
    newSession: startNewSession,
    toggleChanges: () => {
      drawer.close();
      preferences.isChangesOpen.set(!preferences.isChangesOpen.get());
    },
    nextSession: () => stepSession(1),
    previousSession: () => stepSession(-1),
    focusComposer: () => {
      revealConversation();
      document.getElementById('composer-input')?.focus();
    },
    focusPermission: () => {
      const waiting = nextWaitingSession(sessionId, sessions, data.sessions.values());
      if (!waiting && !isPermissionShown()) return;
      revealConversation();
      if (focusShownPermission()) return;
      if (!waiting) return;
      navigate(sessionPath(waiting.workspaceId, waiting.id));
      focusPermissionWhenShown();
    },
  };
  // The listener is installed once; it always calls the handlers of the latest render.
  const shortcutsRef = useRef(runShortcut);
  shortcutsRef.current = runShortcut;
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented) return;
      // Inside an open dialog only the dialog's own keys apply.
      if (event.target instanceof Element && event.target.closest('dialog[open]')) return;
      const id = matchShortcut(
        event,
        isTypingTarget(event.target),
        undefined,
        event.target instanceof HTMLSelectElement,
      );
      if (!id) return;
      event.preventDefault();
      shortcutsRef.current[id]();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);

  // The link listener above is this screen's: it needs no second one.
  if (isRefused) return <MissingToken isExpired onNewToken={null} />;

  const onWorkspaceAdded = (added: Workspace) => {
    catalog.addWorkspace(added);
    setIsAddingWorkspace(false);
    navigate(workspacePath(added.id));
  };
  const onSessionCreated = (created: Session) => {
    catalog.addSession(created);
    navigate(sessionPath(created.workspaceId, created.id));
  };

  const commands = buildPaletteCommands({
    services,
    catalog: data,
    workspace,
    session,
    isArchivedShown,
    actions: {
      newSession: startNewSession,
      addRepository: () => setIsAddingWorkspace(true),
      archive: (target) => setArchiveTarget(target),
      removeWorkspace: (target) => setRemoveTarget(target),
      help: () => setHelpOpen(true),
    },
  });

  let centre: ReactNode;
  if (route.name === 'settings') {
    centre = <SettingsView health={health} />;
  } else if (isAddingWorkspace || (data.isLoaded && data.workspaces.length === 0)) {
    const cancel = data.workspaces.length > 0 ? () => setIsAddingWorkspace(false) : undefined;
    centre = <AddWorkspaceForm onAdded={onWorkspaceAdded} onCancel={cancel} />;
  } else if (!data.isLoaded) {
    centre = <CentreMessage>{loadError ? `Could not load: ${loadError.message}` : 'Loading…'}</CentreMessage>;
  } else if (route.name === 'not_found') {
    centre = <CentreMessage>There is nothing at this address.</CentreMessage>;
  } else if (workspaceId && !workspace) {
    centre = <CentreMessage>This repository is not registered with ChatML (any more).</CentreMessage>;
  } else if (sessionId) {
    const isKnown = workspaceId !== undefined && data.loadedWorkspaceIds.has(workspaceId);
    if (session)
      centre = <SessionView key={session.id} session={session} onArchive={() => setArchiveTarget(session)} />;
    else centre = <CentreMessage>{isKnown ? 'This session does not exist.' : 'Loading…'}</CentreMessage>;
  } else if (workspace) {
    centre = (
      <WorkspaceHome
        workspace={workspace}
        onCreated={onSessionCreated}
        onRemove={() => setRemoveTarget(workspace)}
      />
    );
  }

  const sidebar = (
    <Sidebar
      workspaces={data.workspaces}
      workspace={listedWorkspace}
      sessions={sessions}
      selectedSessionId={sessionId}
      onAddRepository={() => setIsAddingWorkspace(true)}
      onOpenPalette={() => setPaletteOpen(true)}
      hasHeader={!isNarrow}
    />
  );
  const waitingCount = sessions.filter((candidate) => candidate.status === 'waiting_permission').length;

  return (
    <div className={isNarrow ? 'app is-narrow' : 'app'}>
      <div className="banners">
        <ConnectionBanner state={connection} onRetryNow={() => ws.reconnectNow()} />
        {health?.demoModel && <DemoModelNotice />}
        {health?.modelCredentials === 'none' && route.name !== 'settings' && (
          <CredentialsNotice onOpenSettings={() => navigate(SETTINGS_PATH)} />
        )}
      </div>
      {isNarrow && (
        <NarrowBar drawer={drawer} waitingCount={waitingCount} onOpenPalette={() => setPaletteOpen(true)} />
      )}
      {/* The main pane keeps its place in the tree at any width: crossing the breakpoint must not
          remount the session (a half-typed message, the conversation's scroll position). */}
      <div className="shell-body">
        {isNarrow && <SidebarDrawer drawer={drawer}>{sidebar}</SidebarDrawer>}
        <Group
          className="panes"
          orientation="horizontal"
          defaultLayout={layout.defaultLayout}
          onLayoutChanged={layout.onLayoutChanged}
        >
          {!isNarrow && (
            <Panel id="sidebar" defaultSize="260px" minSize="180px" maxSize="45%" className="pane">
              {sidebar}
            </Panel>
          )}
          {!isNarrow && <PaneDivider label="Resize the sidebar" />}
          <Panel id="main" minSize="40%" className="pane">
            <main className="main-pane" inert={drawer.isShown}>
              {centre}
            </main>
          </Panel>
        </Group>
      </div>
      <CommandPalette isOpen={isPaletteOpen} onClose={() => setPaletteOpen(false)} commands={commands} />
      <HelpOverlay isOpen={isHelpOpen} onClose={() => setHelpOpen(false)} />
      <ConfirmDialog
        isOpen={archiveTarget !== undefined}
        title={`Archive ${archiveTarget?.name ?? 'this session'}?`}
        message={archiveMessage(archiveTarget)}
        confirmLabel="Archive"
        onConfirm={async () => {
          if (archiveTarget) catalog.addSession(await api.archiveSession(archiveTarget.id));
        }}
        onClose={() => setArchiveTarget(undefined)}
        // The Archive button that opened it is gone with the worktree; Restore is what is left to do.
        focusAfterClose={() => document.querySelector<HTMLElement>('[data-testid="restore-session"]')}
      />
      <RemoveWorkspaceDialog
        workspace={removeTarget}
        sessions={removeTarget ? sessionsOf(data, removeTarget.id) : []}
        onClose={() => setRemoveTarget(undefined)}
      />
    </div>
  );
}

function CentreMessage({ children }: { children: ReactNode }) {
  return <div className="centre-message">{children}</div>;
}
