import { createContext, type ReactNode, useContext, useEffect, useState, useSyncExternalStore } from 'react';
import { ApiClient } from '../api/rest-client';
import { type ConnectionState, defaultWsUrl, WsClient } from '../api/ws-client';
import { type CatalogSnapshot, CatalogStore } from '../state/catalog-store';
import { TranscriptRegistry } from '../state/transcript-registry';
import type { TranscriptSnapshot, TranscriptStore } from '../state/transcript-store';
import { emptyTranscript } from '../state/transcript-types';

/** The long-lived clients and stores of one page load, shared through context. */
export interface Services {
  api: ApiClient;
  ws: WsClient;
  catalog: CatalogStore;
  transcripts: TranscriptRegistry;
}

export function createServices(token: string): Services {
  const api = new ApiClient(token);
  const ws = new WsClient({ url: defaultWsUrl(), token });
  const catalog = new CatalogStore(api, ws);
  const transcripts = new TranscriptRegistry(ws);
  let hasConnected = false;
  ws.onStateChange(() => {
    if (ws.getState() !== 'connected') return;
    // Frames sent while we were away are lost for list views; a fresh load closes the gap.
    if (hasConnected) void catalog.refresh();
    hasConnected = true;
  });
  return { api, ws, catalog, transcripts };
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

/** Subscribes to a session's events while the calling component is mounted. */
export function useSessionTranscript(sessionId: string): TranscriptSnapshot {
  const { transcripts } = useServices();
  const [opened, setOpened] = useState<{ sessionId: string; store: TranscriptStore }>();
  useEffect(() => {
    const { store, release } = transcripts.open(sessionId);
    setOpened({ sessionId, store });
    return release;
  }, [transcripts, sessionId]);
  // Until the effect has run for this session, show it as loading rather than the previous one.
  const source = opened?.sessionId === sessionId ? opened.store : noStore;
  return useSyncExternalStore(source.subscribe, source.getSnapshot);
}
