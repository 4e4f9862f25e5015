import type { ServerFrame, Session } from '@chatml/protocol';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { ApiClient } from '../../api/rest-client';
import { WsClient } from '../../api/ws-client';
import { type Services, ServicesProvider } from '../../app/services';
import { CatalogStore } from '../../state/catalog-store';
import { DraftStore } from '../../state/drafts';
import { fakeSocketFactory } from '../../test/fake-web-socket';

type Answer = { status: number; body?: unknown } | Promise<{ status: number; body?: unknown }>;
type Route = (body: unknown, call: number) => Answer;

export interface RecordedCall {
  method: string;
  path: string;
  body: unknown;
  /** The request's cancel signal, if the caller gave one. */
  signal?: AbortSignal | undefined;
}

/**
 * A scripted backend for git component tests: the real ApiClient (so responses go through the
 * protocol's schemas) over a fetch that answers `METHOD /path` routes, and the real WsClient over
 * a fake socket, so tests can push frames such as `pull_request_updated`.
 */
export function renderWithBackend(
  ui: ReactNode,
  routes: Record<string, Route>,
  /** Services beyond the git components' (e.g. `transcripts` for a pane that reads the transcript). */
  extraServices: Partial<Services> = {},
) {
  const calls: RecordedCall[] = [];
  const counts = new Map<string, number>();
  const fetch = async (input: string, init?: RequestInit) => {
    const path = input.replace(/^\/api\/v1/, '');
    const method = init?.method ?? 'GET';
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    calls.push({ method, path, body, signal: init?.signal ?? undefined });
    const key = `${method} ${path}`;
    const route = routes[key];
    const count = counts.get(key) ?? 0;
    counts.set(key, count + 1);
    const answer = route
      ? await route(body, count)
      : /^GET \/sessions\/[^/]+\/pr$/.test(key)
        ? ok(null) // what the backend answers for a session without a PR, the usual case
        : { status: 404, body: error('not_found', `no route ${key}`) };
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'content-type': 'application/json' },
    });
  };
  const api = new ApiClient('token', { fetch });
  const sockets = fakeSocketFactory();
  const ws = new WsClient({
    url: 'ws://test/ws',
    token: 'token',
    createSocket: sockets.create,
    heartbeatMs: 0,
  });
  ws.start();
  sockets.latest().open();
  const catalog = new CatalogStore(api, ws);
  // Git components use only these services; the rest of the app's are not needed here.
  const services = {
    api,
    ws,
    catalog,
    drafts: new DraftStore(null),
    ...extraServices,
  } as unknown as Services;
  const wrap = (node: ReactNode) => <ServicesProvider services={services}>{node}</ServicesProvider>;
  const result = render(wrap(ui));
  return {
    ...result,
    rerender: (node: ReactNode) => result.rerender(wrap(node)),
    calls,
    catalog,
    callsTo: (method: string, path: string) =>
      calls.filter((call) => call.method === method && call.path === path),
    pushFrame: (frame: ServerFrame) => sockets.latest().receive(frame),
    stop: () => ws.stop(),
  };
}

export const ok = (body: unknown) => ({ status: 200, body });
export const error = (code: string, message: string, conflicts?: string[]) => ({
  error: { code, message, ...(conflicts ? { conflicts } : {}) },
});
export const fail = (status: number, code: string, message: string, conflicts?: string[]) => ({
  status,
  body: error(code, message, conflicts),
});

/** A promise the test settles when it wants the backend to answer. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

export function commitList(
  overrides: {
    uncommitted?: string[];
    /** How many of `uncommitted` are tracked files (default: all of them). */
    tracked?: number;
    commits?: number;
    behindBase?: number;
    mergedIntoBase?: boolean;
    unavailableReason?: 'branch_missing';
  } = {},
) {
  const uncommitted = overrides.uncommitted ?? [];
  return {
    mergeBase: 'b'.repeat(40),
    commits: Array.from({ length: overrides.commits ?? 0 }, (_, index) => ({
      sha: `${index + 1}`.repeat(40).slice(0, 40),
      parents: ['b'.repeat(40)],
      subject: `commit ${index + 1}`,
      body: '',
      authorName: 'Ada',
      authorEmail: 'ada@example.com',
      authoredAt: 1_700_000_000_000,
    })),
    uncommitted,
    uncommittedCount: uncommitted.length,
    trackedUncommittedCount: overrides.tracked ?? uncommitted.length,
    behindBase: overrides.unavailableReason ? null : (overrides.behindBase ?? 0),
    mergedIntoBase: overrides.mergedIntoBase ?? false,
    unavailableReason: overrides.unavailableReason ?? null,
  };
}

export function withGitState(session: Session, gitState: Session['gitState']): Session {
  return { ...session, gitState };
}
