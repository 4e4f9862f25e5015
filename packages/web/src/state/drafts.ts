import type { Catalog } from './catalog';
import type { CatalogStore } from './catalog-store';
import { safeLocalStorage } from './local-store';

/** Each draft is its own localStorage item, so two tabs never rewrite each other's other drafts. */
const STORAGE_PREFIX = 'chatml.draft:';
const SAVE_DELAY_MS = 500;
/**
 * All stored drafts together, in characters (about twice that in bytes): far below the few MB a
 * browser gives a site, so drafts never crowd out the other settings. The oldest go first.
 */
export const MAX_STORED_DRAFT_CHARS = 256 * 1024;

export type DraftStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>;

/** The message box of a session. Ids are `ws_…`/`ses_…` (base64url), so `:` separates safely. */
export const sessionDraftKey = (workspaceId: string, sessionId: string) =>
  `session:${workspaceId}:${sessionId}`;
/** The prompt of the new-session form of a workspace. */
export const newSessionDraftKey = (workspaceId: string) => `new-session:${workspaceId}`;

/** Parts of a message put back together as the user would have typed them. */
export const joinDraftParts = (parts: readonly string[]) =>
  parts.filter((part) => part.trim() !== '').join('\n\n');

interface Draft {
  /** What the box shows. */
  text: string;
  /**
   * Messages handed to the backend and not accepted yet. They count as part of the stored draft,
   * so a reload while one is on its way does not lose it; they are not put back in the box while
   * this page still waits for the answer.
   */
  pending: string[];
  /** When it last changed here or in the tab that stored it: the later of two copies wins. */
  changedAt: number;
  isDirty: boolean;
}

interface StoredDraft {
  text: string;
  changedAt: number;
}

type GiveBackListener = (messages: readonly string[], reason: string) => void;

/**
 * The messages being typed, per session (and per workspace's new-session form): kept in memory
 * while the user is elsewhere, and in localStorage — written a moment after typing stops, and when
 * the page is hidden — for the next load. Storage can be missing or full: drafts then last for this
 * page only. With two tabs on one draft the later change wins when a box opens; nothing is written
 * until the user changes something, so opening a tab never replaces another tab's draft.
 */
export class DraftStore {
  private readonly drafts = new Map<string, Draft>();
  private readonly listeners = new Map<string, Set<GiveBackListener>>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly storage: DraftStorage | null = safeLocalStorage() ?? null,
    private readonly options: { now?: () => number; maxStoredChars?: number } = {},
  ) {}

  /** The box's text: this page's copy, unless another tab (or an earlier load) stored a later one. */
  text(key: string): string {
    return this.current(key)?.text ?? '';
  }

  setText(key: string, text: string): void {
    // Typing is the latest change by definition: no need to read storage on every keystroke.
    const draft = this.drafts.get(key) ?? this.current(key);
    if ((draft?.text ?? '') === text) return;
    this.change(key, text, draft?.pending ?? []);
  }

  /** A message is on its way to the backend: it stays in the stored draft until `release`. */
  hold(key: string, message: string): void {
    const draft = this.drafts.get(key) ?? this.current(key);
    this.change(key, draft?.text ?? '', [...(draft?.pending ?? []), message]);
  }

  /** The backend accepted the message. */
  release(key: string, message: string): void {
    const draft = this.drafts.get(key);
    if (!draft) return;
    const index = draft.pending.indexOf(message);
    if (index === -1) return;
    this.change(
      key,
      draft.text,
      draft.pending.filter((_, at) => at !== index),
    );
  }

  /**
   * The backend refused these messages: back in the draft before what was typed since, and told
   * to the box showing it, if any (the one that sent them may be gone, the user having moved on).
   */
  giveBack(key: string, messages: readonly string[], reason: string): void {
    const draft = this.drafts.get(key) ?? this.current(key);
    const pending = [...(draft?.pending ?? [])];
    for (const message of messages) {
      const index = pending.indexOf(message);
      if (index !== -1) pending.splice(index, 1);
    }
    this.change(key, joinDraftParts([...messages, draft?.text ?? '']), pending);
    for (const listener of this.listeners.get(key) ?? []) listener(messages, reason);
  }

  /** For the box showing this draft, to hear of messages `giveBack` returns. */
  listen(key: string, listener: GiveBackListener): () => void {
    const listeners = this.listeners.get(key) ?? new Set();
    this.listeners.set(key, listeners.add(listener));
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.listeners.delete(key);
    };
  }

  /** Forgets the drafts `isKept` rejects, here and in storage (a deleted or archived session's). */
  prune(isKept: (key: string) => boolean): void {
    for (const key of this.drafts.keys()) if (!isKept(key)) this.drafts.delete(key);
    for (const { storageKey, key } of this.storedEntries())
      if (!isKept(key)) this.attempt(() => this.storage?.removeItem(storageKey));
  }

  /** Writes the changed drafts now (the page is going away); also runs a moment after typing stops. */
  flush = (): void => {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const [key, draft] of this.drafts) {
      if (!draft.isDirty) continue;
      draft.isDirty = false;
      const text = joinDraftParts([...draft.pending, draft.text]);
      if (text === '') this.drafts.delete(key);
      this.save(key, text, draft.changedAt);
    }
  };

  private change(key: string, text: string, pending: string[]): void {
    this.drafts.set(key, { text, pending, changedAt: this.now(), isDirty: true });
    if (!this.storage) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(this.flush, SAVE_DELAY_MS);
  }

  private current(key: string): Draft | undefined {
    const own = this.drafts.get(key);
    const stored = this.read(key);
    if (!stored || (own && own.changedAt >= stored.changedAt)) return own;
    // Stored later elsewhere: its text already includes any messages that were on their way there.
    const adopted: Draft = {
      text: stored.text,
      pending: own?.pending ?? [],
      changedAt: stored.changedAt,
      isDirty: false,
    };
    this.drafts.set(key, adopted);
    return adopted;
  }

  private save(key: string, text: string, changedAt: number): void {
    const storageKey = STORAGE_PREFIX + key;
    const value = JSON.stringify({ text, changedAt } satisfies StoredDraft);
    const limit = this.options.maxStoredChars ?? MAX_STORED_DRAFT_CHARS;
    const size = storageKey.length + value.length;
    // An empty draft, or one too big to keep: an older stored copy must not come back after a reload.
    if (text === '' || size > limit) {
      this.attempt(() => this.storage?.removeItem(storageKey));
      return;
    }
    const others = this.storedEntries().filter((entry) => entry.storageKey !== storageKey);
    let total = size + others.reduce((sum, entry) => sum + entry.size, 0);
    for (const oldest of others.sort((a, b) => a.changedAt - b.changedAt)) {
      if (total <= limit) break;
      this.attempt(() => this.storage?.removeItem(oldest.storageKey));
      total -= oldest.size;
    }
    // Full storage: this page keeps the draft in memory (see the class comment).
    this.attempt(() => this.storage?.setItem(storageKey, value));
  }

  private read(key: string): StoredDraft | undefined {
    const value = this.attempt(() => this.storage?.getItem(STORAGE_PREFIX + key));
    return value == null ? undefined : parseStored(value);
  }

  private storedEntries(): { storageKey: string; key: string; size: number; changedAt: number }[] {
    const entries: { storageKey: string; key: string; size: number; changedAt: number }[] = [];
    const storage = this.storage;
    if (!storage) return entries;
    this.attempt(() => {
      for (let index = 0; index < storage.length; index += 1) {
        const storageKey = storage.key(index);
        if (!storageKey?.startsWith(STORAGE_PREFIX)) continue;
        const value = storage.getItem(storageKey) ?? '';
        entries.push({
          storageKey,
          key: storageKey.slice(STORAGE_PREFIX.length),
          size: storageKey.length + value.length,
          // Unreadable entries count as the oldest, so they go first.
          changedAt: parseStored(value)?.changedAt ?? 0,
        });
      }
    });
    return entries;
  }

  private attempt<T>(action: () => T): T | undefined {
    try {
      return action();
    } catch {
      // Storage disabled, full or gone: drafts last for this page only (see the class comment).
      return undefined;
    }
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

/**
 * Writes the drafts' pending changes at once when the page may be about to go (a reload, a closed
 * tab, a tab switched away from, the phone's app switcher): the delayed write would never run, and
 * the last half second of typing would be lost. Returns the function that stops listening.
 */
export function saveDraftsWhenPageHides(
  drafts: Pick<DraftStore, 'flush'>,
  page: { window: EventTarget; document: EventTarget & { visibilityState: DocumentVisibilityState } } = {
    window,
    document,
  },
): () => void {
  const onVisibilityChange = () => {
    if (page.document.visibilityState === 'hidden') drafts.flush();
  };
  page.window.addEventListener('pagehide', drafts.flush);
  page.document.addEventListener('visibilitychange', onVisibilityChange);
  return () => {
    page.window.removeEventListener('pagehide', drafts.flush);
    page.document.removeEventListener('visibilitychange', onVisibilityChange);
  };
}

function parseStored(value: string): StoredDraft | undefined {
  try {
    const parsed: unknown = JSON.parse(value);
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'text' in parsed &&
      typeof parsed.text === 'string' &&
      'changedAt' in parsed &&
      typeof parsed.changedAt === 'number'
    )
      return { text: parsed.text, changedAt: parsed.changedAt };
  } catch {
    // Corrupt: treated as no draft.
  }
  return undefined;
}

/**
 * Whether the catalog says the draft's session or workspace is gone (or the session archived, where
 * nothing can be sent). Only judged where the catalog knows: a workspace whose sessions are not
 * loaded yet keeps its session drafts.
 */
export function isDraftOrphaned(key: string, catalog: Catalog): boolean {
  const [kind, workspaceId = '', sessionId = ''] = key.split(':');
  const hasWorkspace = catalog.workspaces.some((workspace) => workspace.id === workspaceId);
  if (catalog.isLoaded && !hasWorkspace) return true;
  if (kind === 'new-session') return false;
  if (kind !== 'session') return catalog.isLoaded;
  if (!catalog.loadedWorkspaceIds.has(workspaceId)) return false;
  const session = catalog.sessions.get(sessionId);
  return session === undefined || session.status === 'archived';
}

/**
 * Drops the drafts of deleted or archived sessions (and removed workspaces) each time a list they
 * are in first loads: fresh from the backend then, so a session another tab just made is in it.
 * Later changes wait for the next load; a stale draft costs little until then.
 */
export function pruneDraftsAsListsLoad(
  drafts: DraftStore,
  catalog: Pick<CatalogStore, 'subscribe' | 'getSnapshot'>,
): () => void {
  let prunedFor = '';
  return catalog.subscribe(() => {
    const { catalog: data } = catalog.getSnapshot();
    const loaded = `${data.isLoaded}:${[...data.loadedWorkspaceIds].sort().join()}`;
    if (loaded === prunedFor) return;
    prunedFor = loaded;
    drafts.prune((key) => !isDraftOrphaned(key, data));
  });
}
