import type { Session, Workspace } from '@chatml/protocol';

/** A session as the backend would send it, for component tests. */
export function makeSession(id: string, overrides: Partial<Session> = {}): Session {
  return {
    id,
    workspaceId: 'ws_1',
    name: id,
    branch: `chatml/${id}`,
    baseBranch: 'main',
    worktreePath: `/tmp/${id}`,
    status: 'idle',
    statusReason: null,
    model: null,
    permissionMode: 'default',
    lastSeq: 0,
    queuedMessages: 0,
    diffStats: null,
    createdAt: 1,
    updatedAt: Date.now(),
    ...overrides,
  };
}

/** A ready local workspace, for component tests. */
export function makeWorkspace(overrides: Partial<Workspace> = {}): Workspace {
  return {
    id: 'ws_1',
    name: 'widgets',
    path: '/src/widgets',
    baseBranch: 'main',
    remoteUrl: null,
    status: 'ready',
    statusDetail: null,
    createdAt: 1_796_205_600_000,
    ...overrides,
  };
}

/** An in-memory Storage for code that persists to localStorage. */
export function memoryStorage(
  initial: Record<string, string> = {},
): Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'> & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
    key: (index) => [...data.keys()][index] ?? null,
    get length() {
      return data.size;
    },
  };
}
