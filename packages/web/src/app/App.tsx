import type { Session, Workspace } from '@chatml/protocol';
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { ApiError } from '../api/api-error';
import type { HealthDetails } from '../api/rest-client';
import { AddWorkspaceForm } from '../components/AddWorkspaceForm';
import { ConnectionBanner, DemoModelNotice } from '../components/Banners';
import { MissingToken } from '../components/MissingToken';
import { SessionView } from '../components/SessionView';
import { Sidebar } from '../components/Sidebar';
import { WorkspaceHome } from '../components/WorkspaceHome';
import { sessionsOf } from '../state/catalog';
import { navigate, useRoute, useRoutePathname } from './router';
import { sessionPath, workspacePath } from './routes';
import { useCatalog, useConnectionState, useServices } from './services';

const LAST_WORKSPACE_KEY = 'chatml.lastWorkspace';

/** The shell: banners on top, the sidebar on the left, and the centre chosen by the URL. */
export function App() {
  const { api, ws, catalog } = useServices();
  const route = useRoute();
  const { catalog: data, loadError } = useCatalog();
  const connection = useConnectionState();
  const [health, setHealth] = useState<HealthDetails>();
  const [isAddingWorkspace, setIsAddingWorkspace] = useState(false);

  useEffect(() => {
    void catalog.refresh();
    // A failed health check needs no message of its own: the connection banner covers it.
    api.health().then(setHealth, () => undefined);
  }, [api, catalog]);

  const workspaceId = route.name === 'workspace' || route.name === 'session' ? route.workspaceId : undefined;
  const sessionId = route.name === 'session' ? route.sessionId : undefined;
  const workspace = data.workspaces.find((candidate) => candidate.id === workspaceId);
  const sessions = useMemo(() => (workspaceId ? sessionsOf(data, workspaceId) : []), [data, workspaceId]);

  useEffect(() => {
    if (!workspaceId) return;
    void catalog.ensureSessions(workspaceId);
    localStorage.setItem(LAST_WORKSPACE_KEY, workspaceId);
  }, [catalog, workspaceId]);

  // Navigating anywhere (a session link, back/forward) leaves the add-repository form.
  const pathname = useRoutePathname();
  // biome-ignore lint/correctness/useExhaustiveDependencies: pathname is the trigger, not an input
  useEffect(() => setIsAddingWorkspace(false), [pathname]);

  // `/` opens the last repository used, or the first; with none, it is the onboarding screen.
  const firstWorkspaceId = data.workspaces[0]?.id;
  useEffect(() => {
    if (route.name !== 'home' || !firstWorkspaceId) return;
    const last = localStorage.getItem(LAST_WORKSPACE_KEY);
    const target = data.workspaces.some((candidate) => candidate.id === last) ? last : firstWorkspaceId;
    if (target) navigate(workspacePath(target), { replace: true });
  }, [route.name, firstWorkspaceId, data.workspaces]);

  if (loadError instanceof ApiError && loadError.isUnauthorized) return <MissingToken isExpired />;

  const onWorkspaceAdded = (added: Workspace) => {
    catalog.addWorkspace(added);
    setIsAddingWorkspace(false);
    navigate(workspacePath(added.id));
  };
  const onSessionCreated = (created: Session) => {
    catalog.addSession(created);
    navigate(sessionPath(created.workspaceId, created.id));
  };

  let centre: ReactNode;
  if (isAddingWorkspace || (data.isLoaded && data.workspaces.length === 0)) {
    const cancel = data.workspaces.length > 0 ? () => setIsAddingWorkspace(false) : undefined;
    centre = <AddWorkspaceForm onAdded={onWorkspaceAdded} onCancel={cancel} />;
  } else if (!data.isLoaded) {
    centre = <CentreMessage>{loadError ? `Could not load: ${loadError.message}` : 'Loading…'}</CentreMessage>;
  } else if (route.name === 'not_found') {
    centre = <CentreMessage>There is nothing at this address.</CentreMessage>;
  } else if (workspaceId && !workspace) {
    centre = <CentreMessage>This repository is not registered with ChatML (any more).</CentreMessage>;
  } else if (sessionId) {
    const session = data.sessions.get(sessionId);
    const isKnown = workspaceId !== undefined && data.loadedWorkspaceIds.has(workspaceId);
    if (session) centre = <SessionView key={session.id} session={session} />;
    else centre = <CentreMessage>{isKnown ? 'This session does not exist.' : 'Loading…'}</CentreMessage>;
  } else if (workspace) {
    centre = <WorkspaceHome workspace={workspace} onCreated={onSessionCreated} />;
  }

  return (
    <div className="app">
      <div className="banners">
        <ConnectionBanner state={connection} onRetryNow={() => ws.reconnectNow()} />
        {health?.demoModel && <DemoModelNotice />}
      </div>
      <div className="panes">
        <Sidebar
          workspaces={data.workspaces}
          workspace={workspace}
          sessions={sessions}
          selectedSessionId={sessionId}
          onAddRepository={() => setIsAddingWorkspace(true)}
        />
        <main className="main-pane">{centre}</main>
      </div>
    </div>
  );
}

function CentreMessage({ children }: { children: ReactNode }) {
  return <div className="centre-message">{children}</div>;
}
