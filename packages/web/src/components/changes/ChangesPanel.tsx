import type { DiffResponse } from '@chatml/protocol';
import { useCallback, useEffect, useState } from 'react';
import { useServices } from '../../app/services';
import { PatchView } from './PatchView';

const statusLetters = {
  added: 'A',
  modified: 'M',
  deleted: 'D',
  renamed: 'R',
  copied: 'C',
  type_changed: 'T',
};

/**
 * Right pane: the session's changes against its merge-base. Reloaded when opened, when a turn ends
 * (`refreshSignal`) and on demand.
 */
export function ChangesPanel({ sessionId, refreshSignal }: { sessionId: string; refreshSignal: number }) {
  const { api } = useServices();
  const [diff, setDiff] = useState<DiffResponse>();
  const [selectedPath, setSelectedPath] = useState<string>();
  const [error, setError] = useState<string>();
  const [isLoading, setIsLoading] = useState(false);

  const load = useCallback(async () => {
    setIsLoading(true);
    try {
      setDiff(await api.diff(sessionId));
      setError(undefined);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setIsLoading(false);
    }
  }, [api, sessionId]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: refreshSignal is the reason to reload
  useEffect(() => {
    void load();
  }, [load, refreshSignal]);

  const files = diff?.files ?? [];
  const selected = files.find((file) => file.path === selectedPath);
  return (
    <aside className="changes-panel" aria-label="Changes" data-testid="changes-panel">
      <div className="pane-header">
        <span>Changes{diff ? ` (${files.length})` : ''}</span>
        <button type="button" className="button small" onClick={() => void load()} disabled={isLoading}>
          {isLoading ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {diff && files.length === 0 && <p className="empty-state small">No changes yet.</p>}
      <ul className="file-list">
        {files.map((file) => (
          <li key={file.path}>
            <button
              type="button"
              className="file-item"
              data-testid="changes-file"
              data-path={file.path}
              aria-pressed={file.path === selectedPath}
              aria-label={`${file.path}, ${file.status}, ${file.additions} added, ${file.deletions} removed`}
              onClick={() => setSelectedPath(file.path === selectedPath ? undefined : file.path)}
            >
              <span className={`file-status file-${file.status}`}>{statusLetters[file.status]}</span>
              <span className="file-path" title={file.oldPath ? `${file.oldPath} → ${file.path}` : file.path}>
                {file.path}
              </span>
              <span className="additions">+{file.additions}</span>
              <span className="deletions">−{file.deletions}</span>
            </button>
          </li>
        ))}
      </ul>
      {selected && <PatchView file={selected} />}
    </aside>
  );
}
