import type { FileDiff } from '@chatml/protocol';
import { useMemo } from 'react';
import { languageForPath } from '../../highlight/languages';
import { DiffView } from './DiffView';
import { parseFilePatch } from './diff-model';
import type { DiffMode } from './diff-rows';
import { statusLetters } from './FileTree';

/** One changed file: a header (path, rename, status, counts) over its diff, or a note for binaries. */
export function FileDiffView({
  file,
  mode,
  loadFile,
}: {
  file: FileDiff;
  mode: DiffMode;
  /** Fetches the file as it was at the merge-base; absent when there is none (see ChangesPanel). */
  loadFile: (() => Promise<string>) | undefined;
}) {
  const model = useMemo(() => parseFilePatch(file.patch), [file.patch]);
  const isRenamed = file.oldPath !== null && file.oldPath !== file.path;
  return (
    // Not a region of its own: the diff inside is one, named for the file.
    <div className="changes-body">
      <header className="diff-file-header">
        <span className={`file-status file-${file.status}`} title={file.status}>
          {statusLetters[file.status]}
        </span>
        <span className="file-path" title={file.path}>
          {isRenamed ? `${file.oldPath} → ${file.path}` : file.path}
        </span>
        {file.binary && <span className="file-badge">binary</span>}
        <span className="additions">+{file.additions}</span>
        <span className="deletions">−{file.deletions}</span>
      </header>
      {file.binary ? (
        <p className="empty-state small" data-testid="patch-view">
          Binary file; no text diff.
        </p>
      ) : model.hunks.length === 0 ? (
        <p className="empty-state small" data-testid="patch-view">
          {isRenamed ? 'Renamed without changes.' : 'No text changes (mode or type only).'}
        </p>
      ) : (
        <DiffView
          key={file.path}
          model={model}
          mode={mode}
          language={languageForPath(file.path)}
          label={`Diff of ${file.path}`}
          loadFile={loadFile}
          testId="patch-view"
        />
      )}
    </div>
  );
}
