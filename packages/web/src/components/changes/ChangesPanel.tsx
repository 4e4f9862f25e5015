import type { DiffResponse, FileDiff, SessionGitState } from '@chatml/protocol';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ApiClient } from '../../api/rest-client';
import { useLatestRequest } from '../../api/use-latest-request';
import { useServices, useTranscriptSource, useTranscriptValue } from '../../app/services';
import type { TranscriptItem } from '../../state/transcript-types';
import { DiscardFileButton } from '../git/DiscardFileButton';
import { SessionCommits } from '../git/SessionCommits';
import './diff.css';
import type { DiffMode } from './diff-rows';
import { FileTree } from './FileTree';

/** Tools whose completion can change files: the pane reloads after each (debounced). */
const FILE_CHANGING_TOOLS = new Set(['Edit', 'MultiEdit', 'Write', 'NotebookEdit', 'Bash']);
/** Wait this long after the last such tool before asking for the diff, so a burst of edits costs one. */
const LIVE_REFRESH_DEBOUNCE_MS = 400;
const MODE_KEY = 'chatml.diffMode';

// The viewer (jsdiff, the row builder, highlighting) is a chunk of its own, fetched with the first diff shown.
const FileDiffView = lazy(() =>
  import('./FileDiffView').then((module) => ({ default: module.FileDiffView })),
);

function countFinishedFileTools(items: readonly TranscriptItem[]): number {
  let count = 0;
  for (const item of items) {
    if (
      item.kind === 'tool' &&
      FILE_CHANGING_TOOLS.has(item.tool) &&
      (item.state === 'ok' || item.state === 'error')
    )
      count++;
  }
  return count;
}

function useDiffMode(): [DiffMode, (mode: DiffMode) => void] {
  const [mode, setMode] = useState<DiffMode>(() => {
    try {
      return localStorage.getItem(MODE_KEY) === 'split' ? 'split' : 'unified';
    } catch {
      // Storage disabled: the default view, not remembered.
      return 'unified';
    }
  });
  const update = (next: DiffMode) => {
    setMode(next);
    try {
      localStorage.setItem(MODE_KEY, next);
    } catch {
      // As above: the choice lasts for this page only.
    }
  };
  return [mode, update];
}

/**
 * How to fetch a changed file as it was at the merge-base (`GET /sessions/:id/file`), so the viewer
 * can show the unchanged lines between hunks: they are the same on both sides, and the old side is
 * a commit, while the new side may be uncommitted work. Added files have no old side.
 */
function fileLoader(
  api: ApiClient,
  sessionId: string,
  mergeBase: string,
  file: FileDiff,
): (() => Promise<string>) | undefined {
  if (file.status === 'added' || file.binary) return undefined;
  return async () => {
    const found = await api.fileAtRef(sessionId, mergeBase, file.oldPath ?? file.path);
    if (found.content === null || found.encoding !== 'utf8')
      throw new Error(`${file.path} is too large or not text; its unchanged lines cannot be shown.`);
    return found.content;
  };
}

/**
 * Right pane: the session's changes against its merge-base — a file tree with per-file status and
 * +/- counts, and the selected file's diff (unified or split, remembered). Reloads when opened, when
 * `refreshSignal` changes (a turn ended, a git operation, the session's status), shortly after each
 * tool that may have changed files, and on demand. An archived session has no worktree to diff: the
 * pane says so and lists the branch's commits only.
 */
export function ChangesPanel({
  sessionId,
  isArchived,
  sync = null,
  baseBranch,
  refreshSignal,
}: {
  sessionId: string;
  isArchived: boolean;
  /** A sync stopped in the worktree (discarding then means something else). */
  sync?: SessionGitState['sync'];
  baseBranch: string;
  refreshSignal: unknown;
}) {
  const { api } = useServices();
  // Only the count of finished file tools: the pane does not re-render with every streamed frame.
  const fileToolsDone = useTranscriptValue(useTranscriptSource(sessionId), (snapshot) =>
    countFinishedFileTools(snapshot.transcript.items),
  );
  const [diff, setDiff] = useState<DiffResponse>();
  const [selectedPath, setSelectedPath] = useState<string>();
  const [error, setError] = useState<string>();
  const [isLoading, setIsLoading] = useState(false);
  const [mode, setMode] = useDiffMode();
  const start = useLatestRequest();

  const load = useCallback(async () => {
    const signal = start();
    if (isArchived) {
      // Whatever was shown is gone with the worktree (or saved in the archive ref): never offer it.
      setDiff(undefined);
      setError(undefined);
      setIsLoading(false);
      return;
    }
    setIsLoading(true);
    try {
      const next = await api.diff(sessionId, signal);
      // A slower, older response must not overwrite a newer one.
      if (signal.aborted) return;
      setDiff(next);
      setError(undefined);
    } catch (caught) {
      if (!signal.aborted) setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      if (!signal.aborted) setIsLoading(false);
    }
  }, [api, sessionId, isArchived, start]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: refreshSignal is the reason to reload
  useEffect(() => {
    void load();
  }, [load, refreshSignal]);

  const seenFileTools = useRef(fileToolsDone);
  useEffect(() => {
    // Only tools finishing while the pane is open count; the ones before are in the first load.
    if (fileToolsDone <= seenFileTools.current) {
      seenFileTools.current = fileToolsDone;
      return;
    }
    seenFileTools.current = fileToolsDone;
    const timer = setTimeout(() => void load(), LIVE_REFRESH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [fileToolsDone, load]);

  const files = diff?.files ?? [];
  const selected = files.find((file) => file.path === selectedPath) ?? files[0];
  const totals = useMemo(
    () =>
      files.reduce(
        (sum, file) => ({
          additions: sum.additions + file.additions,
          deletions: sum.deletions + file.deletions,
        }),
        { additions: 0, deletions: 0 },
      ),
    [files],
  );
  const loadFile = useMemo(
    () => (selected && diff ? fileLoader(api, sessionId, diff.mergeBase, selected) : undefined),
    [api, sessionId, diff, selected],
  );

  return (
    <aside className="changes-panel" aria-label="Changes" data-testid="changes-panel">
      <div className="pane-header">
        <span className="changes-title">
          Changes{diff ? ` (${files.length})` : ''}
          {files.length > 0 && (
            <span className="changes-totals">
              <span className="additions">+{totals.additions}</span>{' '}
              <span className="deletions">−{totals.deletions}</span>
            </span>
          )}
        </span>
        <span className="pane-actions trailing-group">
          {!isArchived && (
            <DiscardFileButton
              sessionId={sessionId}
              file={selected}
              sync={sync}
              baseBranch={baseBranch}
              version={diff}
              onDiscarded={() => void load()}
            />
          )}
          <fieldset className="segmented">
            <legend className="visually-hidden">Diff layout</legend>
            <button type="button" aria-pressed={mode === 'unified'} onClick={() => setMode('unified')}>
              Unified
            </button>
            <button type="button" aria-pressed={mode === 'split'} onClick={() => setMode('split')}>
              Split
            </button>
          </fieldset>
          <button
            type="button"
            className="button small"
            // While loading it stays focusable (a disabled button would drop the keyboard focus).
            onClick={() => {
              if (isLoading) return;
              void load();
              // The worktree may have been changed by hand (deleted, a sync started): the git bar
              // and banners follow the session_updated this sends.
              api.refreshGitState(sessionId).catch(() => {});
            }}
            aria-disabled={isLoading || undefined}
            disabled={isArchived}
          >
            {isLoading ? 'Refreshing…' : 'Refresh'}
          </button>
        </span>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {isArchived && (
        <p className="empty-state small" data-testid="changes-archived">
          This session is archived: its worktree is gone (uncommitted work was saved with the archive).
          Restore it to see and change its files; its commits are listed below.
        </p>
      )}
      {diff && files.length === 0 && <p className="empty-state small">No changes yet.</p>}
      {files.length > 0 && (
        <FileTree files={files} selectedPath={selected?.path} onSelect={setSelectedPath} />
      )}
      {selected && (
        <Suspense fallback={<p className="empty-state small">Loading the diff…</p>}>
          <FileDiffView key={selected.path} file={selected} mode={mode} loadFile={loadFile} />
        </Suspense>
      )}
      <SessionCommits sessionId={sessionId} version={diff} />
    </aside>
  );
}
