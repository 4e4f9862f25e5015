import type { FileDiff } from '@chatml/protocol';

/** A folder or a file of the changes tree. Folders with a single folder inside are merged (`src/web`). */
export type TreeNode =
  | { kind: 'dir'; name: string; path: string; children: TreeNode[]; additions: number; deletions: number }
  | { kind: 'file'; name: string; file: FileDiff };

interface MutableDir {
  kind: 'dir';
  name: string;
  path: string;
  dirs: Map<string, MutableDir>;
  files: FileDiff[];
}

/** The changed files as a tree: folders first, then files, each by name; counts summed per folder. */
export function buildFileTree(files: readonly FileDiff[]): TreeNode[] {
  const root: MutableDir = { kind: 'dir', name: '', path: '', dirs: new Map(), files: [] };
  for (const file of files) {
    const parts = file.path.split('/');
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      let next = dir.dirs.get(part);
      if (!next) {
        next = {
          kind: 'dir',
          name: part,
          path: dir.path ? `${dir.path}/${part}` : part,
          dirs: new Map(),
          files: [],
        };
        dir.dirs.set(part, next);
      }
      dir = next;
    }
    dir.files.push(file);
  }
  return freeze(root);
}

function freeze(dir: MutableDir): TreeNode[] {
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  const dirs = [...dir.dirs.values()].sort(byName).map((child): TreeNode => {
    let merged = child;
    // A folder that holds only one folder reads better as one path.
    while (merged.files.length === 0 && merged.dirs.size === 1) {
      const only = [...merged.dirs.values()][0] as MutableDir;
      merged = { ...only, name: `${merged.name}/${only.name}` };
    }
    const children = freeze(merged);
    let additions = 0;
    let deletions = 0;
    for (const node of children) {
      additions += node.kind === 'dir' ? node.additions : node.file.additions;
      deletions += node.kind === 'dir' ? node.deletions : node.file.deletions;
    }
    return { kind: 'dir', name: merged.name, path: merged.path, children, additions, deletions };
  });
  const files = dir.files
    .map((file): TreeNode => ({ kind: 'file', name: file.path.split('/').pop() ?? file.path, file }))
    .sort(byName);
  return [...dirs, ...files];
}
