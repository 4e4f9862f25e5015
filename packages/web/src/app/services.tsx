import { createContext, type ReactNode, useContext, useEffect, useState, useSyncExternalStore } from 'react';
import { ApiClient } from '../api/rest-client';
import { type ConnectionState, defaultWsUrl, WsClient } from '../api/ws-client';
import { type CatalogSnapshot, CatalogStore } from '../state/catalog-store';
import { browserNotificationApi, DesktopNotifier } from '../state/desktop-notifier';
import { DraftStore, pruneDraftsAsListsLoad, saveDraftsWhenPageHides } from '../state/drafts';
import type { LocalValue } from '../state/local-store';
import { createPreferences, type Preferences } from '../state/preferences';
import { TranscriptRegistry } from '../state/transcript-registry';
import type { TranscriptSnapshot, TranscriptStore } from '../state/transcript-store';
import { emptyTranscript } from '../state/transcript-types';
import { UnreadTracker } from '../state/unread';
import { navigate } from './router';
import { parseRoute, sessionPath } from './routes';

/** The long-lived clients and stores of one page load, shared through context. */
export interface Services {
  api: ApiClient;
  ws: WsClient;
  catalog: CatalogStore;
  transcripts: TranscriptRegistry;
  preferences: Preferences;
  unread: UnreadTracker;
  notifier: DesktopNotifier;
  drafts: DraftStore;
}

export function createServices(token: string): Services {
  const api = new ApiClient(token);
  const ws = new WsClient({ url: defaultWsUrl(), token });
  const catalog = new CatalogStore(api, ws);
  const transcripts = new TranscriptRegistry(ws);
  const preferences = createPreferences();
  const unread = new UnreadTracker();
  // A session read in another tab is read here too.
  unread.followOtherTabs();
  const drafts = new DraftStore();
  // A reload or a closed tab must not lose what was typed in the last moment before it.
  saveDraftsWhenPageHides(drafts);
  const notifier = new DesktopNotifier({
    api: browserNotificationApi(),
    isEnabled: preferences.isNotifying.get,
    context: () => {
      const route = parseRoute(window.location.pathname);
      return {
        isPageHidden: document.visibilityState === 'hidden',
        shownSessionId: route.name === 'session' ? route.sessionId : undefined,
      };
    },
    onOpen: (session) => navigate(sessionPath(session.workspaceId, session.id)),
  });
  // The catalog hears a frame first; the notifier then compares against the status it noted before.
  catalog.subscribe(() => notifier.noteSessions(catalog.getSnapshot().catalog.sessions.values()));
  ws.onFrame((frame) => notifier.handleFrame(frame));
  pruneDraftsAsListsLoad(drafts, catalog);
  let hasConnected = false;
  ws.onStateChange(() => {
    if (ws.getState() !== 'connected') return;
    // Frames sent while we were away are lost for list views; a fresh load closes the gap.
    if (hasConnected) void catalog.refresh();
    hasConnected = true;
  });
  return { api, ws, catalog, transcripts, preferences, unread, notifier, drafts };
}

const ServicesContext = createContext<Services | undefined>(undefined);

export function ServicesProvider({ services, children }: { services: Services; children: ReactNode }) {
  return <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>;
}

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices needs a ServicesProvider above it');
  return services;
}

export function useConnectionState(): ConnectionState {
  const { ws } = useServices();
  return useSyncExternalStore(ws.onStateChange, ws.getState);
}

/** A remembered preference, re-rendering when it changes anywhere. */
export function useLocalValue<T>(value: LocalValue<T>): T {
  return useSyncExternalStore(value.subscribe, value.get);
}

/** Re-renders when any session was marked seen; read `unread.isUnread` after calling it. */
export function useUnread(): UnreadTracker {
  const { unread } = useServices();
  useSyncExternalStore(unread.subscribe, unread.getVersion);
  return unread;
}

export function useCatalog(): CatalogSnapshot {
  const { catalog } = useServices();
  return useSyncExternalStore(catalog.subscribe, catalog.getSnapshot);
}

const loadingSnapshot: TranscriptSnapshot = {
  transcript: emptyTranscript,
  isCaughtUp: false,
  error: undefined,
};
const noStore = { subscribe: () => () => undefined, getSnapshot: () => loadingSnapshot };

/** Where a session's transcript comes from: its store once opened, a loading snapshot until then. */
export type TranscriptSource = Pick<TranscriptStore, 'subscribe' | 'getSnapshot'>;

/** Subscribes to a session's events while the calling component is mounted. */
export function useTranscriptSource(sessionId: string): TranscriptSource {
  const { transcripts } = useServices();
  const [opened, setOpened] = useState<{ sessionId: string; store: TranscriptStore }>();
  useEffect(() => {
    const { store, release } = transcripts.open(sessionId);
    setOpened({ sessionId, store });
    return release;
  }, [transcripts, sessionId]);
  // Until the effect has run for this session, show it as loading rather than the previous one.
  return opened?.sessionId === sessionId ? opened.store : noStore;
}

/** The whole transcript: the caller re-renders in every frame in which events arrived. */
export function useTranscriptSnapshot(source: TranscriptSource): TranscriptSnapshot {
  return useSyncExternalStore(source.subscribe, source.getSnapshot);
}

/**
 * One value derived from the transcript (a primitive, or a reference that stays the same while
 * unchanged): the caller re-renders only when it changes, not in every frame of a stream.
 */
export function useTranscriptValue<T>(
  source: TranscriptSource,
  select: (snapshot: TranscriptSnapshot) => T,
): T {
  return useSyncExternalStore(source.subscribe, () => select(source.getSnapshot()));
}
