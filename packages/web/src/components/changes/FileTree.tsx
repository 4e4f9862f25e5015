import type { FileDiff } from '@chatml/protocol';
import { useMemo, useState } from 'react';
import { buildFileTree, type TreeNode } from './file-tree';

export const statusLetters: Record<FileDiff['status'], string> = {
  added: 'A',
  modified: 'M',
  deleted: 'D',
  renamed: 'R',
  copied: 'C',
  type_changed: 'T',
};

function describe(file: FileDiff): string {
  const from = file.oldPath && file.oldPath !== file.path ? ` from ${file.oldPath}` : '';
  const binary = file.binary ? ', binary' : '';
  return `${file.path}, ${file.status}${from}${binary}, ${file.additions} added, ${file.deletions} removed`;
}

/** The changed files as a folder tree; each file with its status and +/- counts. */
export function FileTree({
  files,
  selectedPath,
  onSelect,
}: {
  files: readonly FileDiff[];
  selectedPath: string | undefined;
  onSelect: (path: string) => void;
}) {
  const tree = useMemo(() => buildFileTree(files), [files]);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const toggle = (path: string) =>
    setCollapsed((current) => {
      const next = new Set(current);
      if (!next.delete(path)) next.add(path);
      return next;
    });
  const renderNodes = (nodes: TreeNode[], depth: number) =>
    nodes.map((node) =>
      node.kind === 'dir' ? (
        <li key={`d:${node.path}`}>
          <button
            type="button"
            className="tree-dir"
            style={{ paddingLeft: 6 + depth * 12 }}
            aria-expanded={!collapsed.has(node.path)}
            data-testid="changes-dir"
            data-path={node.path}
            onClick={() => toggle(node.path)}
          >
            <span aria-hidden="true">{collapsed.has(node.path) ? '▸' : '▾'}</span>
            <span className="file-path">{node.name}</span>
            <span className="additions">+{node.additions}</span>
            <span className="deletions">−{node.deletions}</span>
          </button>
          {!collapsed.has(node.path) && <ul>{renderNodes(node.children, depth + 1)}</ul>}
        </li>
      ) : (
        <li key={`f:${node.file.path}`}>
          <button
            type="button"
            className="file-item"
            style={{ paddingLeft: 6 + depth * 12 }}
            data-testid="changes-file"
            data-path={node.file.path}
            data-status={node.file.status}
            aria-pressed={node.file.path === selectedPath}
            aria-label={describe(node.file)}
            onClick={() => onSelect(node.file.path)}
          >
            <span className={`file-status file-${node.file.status}`} title={node.file.status}>
              {statusLetters[node.file.status]}
            </span>
            <span
              className="file-path"
              title={node.file.oldPath ? `${node.file.oldPath} → ${node.file.path}` : node.file.path}
            >
              {node.name}
            </span>
            {node.file.binary && <span className="file-badge">bin</span>}
            <span className="additions">+{node.file.additions}</span>
            <span className="deletions">−{node.file.deletions}</span>
          </button>
        </li>
      ),
    );
  return (
    <ul className="file-tree" aria-label="Changed files">
      {renderNodes(tree, 0)}
    </ul>
  );
}
