import { realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';

/** Tool input fields that name a file or directory (Write/Edit/Read, NotebookEdit, Glob/Grep). */
const PATH_FIELDS = ['file_path', 'path', 'notebook_path'] as const;

/**
 * Keeps an agent's file tools inside its session's worktree. A path is inside only if it is inside by
 * both readings a tool might apply: `path.resolve` (lexical `..`, as Claude Code normalizes paths)
 * with the nearest existing ancestor's symlinks resolved, and the kernel's reading (each component's
 * symlink resolved before a following `..` applies). Either one landing outside is a denial.
 */
export class WorktreeFence {
  private constructor(private readonly root: string) {}

  /** `cwd` must exist; its own symlinks are resolved once (e.g. macOS `/tmp` -> `/private/tmp`). */
  static async create(cwd: string): Promise<WorktreeFence> {
    return new WorktreeFence(await realpath(path.resolve(cwd)));
  }

  get rootPath(): string {
    return this.root;
  }

  /** The first path field of a tool input that lands outside the worktree, or undefined. */
  async findEscape(input: Record<string, unknown>): Promise<{ field: string; value: string } | undefined> {
    for (const field of PATH_FIELDS) {
      const value = input[field];
      if (typeof value !== 'string' || value === '') continue;
      if (!(await this.contains(value))) return { field, value };
    }
    return undefined;
  }

  async contains(target: string): Promise<boolean> {
    const expanded = expandHome(target);
    const [lexical, kernel] = await Promise.all([
      resolveLexically(this.root, expanded),
      resolveLikeKernel(this.root, expanded),
    ]);
    return isWithin(this.root, lexical) && isWithin(this.root, kernel);
  }
}

function expandHome(target: string): string {
  if (target === '~') return homedir();
  if (target.startsWith('~/')) return path.join(homedir(), target.slice(2));
  return target;
}

function isWithin(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return (
    relative === '' ||
    (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative))
  );
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** `path.resolve` against cwd, then the nearest existing ancestor's real path plus the missing rest. */
async function resolveLexically(cwd: string, target: string): Promise<string> {
  const absolute = path.resolve(cwd, target);
  const missing: string[] = [];
  let existing = absolute;
  for (;;) {
    try {
      return path.join(await realpath(existing), ...missing.reverse());
    } catch (error) {
      if (!isMissing(error)) throw error;
      const parent = path.dirname(existing);
      if (parent === existing) return absolute;
      missing.push(path.basename(existing));
      existing = parent;
    }
  }
}

/** Walks the components as the kernel does: a symlink is followed before a later `..` applies. */
async function resolveLikeKernel(cwd: string, target: string): Promise<string> {
  const start = path.isAbsolute(target) ? path.parse(target).root : cwd;
  const parts = (path.isAbsolute(target) ? target.slice(start.length) : target).split(/[\\/]+/);
  let current = start;
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      current = path.dirname(current);
      continue;
    }
    const next = path.join(current, part);
    try {
      current = await realpath(next);
    } catch (error) {
      if (!isMissing(error)) throw error;
      current = next; // not created yet: nothing there to follow
    }
  }
  return current;
}
