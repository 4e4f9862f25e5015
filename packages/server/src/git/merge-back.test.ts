import { readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTempRepo, makeTempDir, type TempDir, type TempRepo } from '@chatml/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BadRequestError, ConflictError } from '../errors.js';
import { mergeBack } from './merge-back.js';
import { WorktreeManager } from './worktree-manager.js';

let repo: TempRepo;
let data: TempDir;
let worktreePath: string;
let baseBefore: string;
const branch = 'chatml/session';

beforeEach(async () => {
  repo = await createTempRepo({
    files: { 'a.txt': 'a\n', 'b.txt': 'b\n', 'c.txt': 'c\n', 'shared.txt': '1\n2\n3\n' },
  });
  data = await makeTempDir('merge-back');
  worktreePath = join(data.path, 'worktrees', 'session');
  await new WorktreeManager().create({ repoPath: repo.path, worktreePath, branch, baseBranch: 'main' });
  // Two session commits: a.txt changed, new.txt added.
  await writeFile(join(worktreePath, 'a.txt'), 'a from the session\n');
  await sessionGit(['commit', '-qam', 'change a']);
  await writeFile(join(worktreePath, 'new.txt'), 'new\n');
  await sessionGit(['add', 'new.txt']);
  await sessionGit(['commit', '-qm', 'add new']);
  baseBefore = await rev('main');
});
afterEach(async () => {
  await data.cleanup();
  await repo.cleanup();
});

const sessionGit = (args: string[]) => repo.git(['-C', worktreePath, ...args]);
const rev = async (revision: string) => (await repo.git(['rev-parse', revision])).trim();
const read = (path: string) => readFile(join(repo.path, path), 'utf8');
const merge = (strategy: 'squash' | 'merge' = 'squash') =>
  mergeBack({ repoPath: repo.path, baseBranch: 'main', branch, strategy, message: 'Session work\n' });

/** The user's own uncommitted work in the main checkout: a modified, a staged and an untracked file. */
async function makeUserEdits() {
  await writeFile(join(repo.path, 'b.txt'), 'b edited by the user, not staged\n');
  await writeFile(join(repo.path, 'c.txt'), 'c edited and staged\n');
  await repo.git(['add', 'c.txt']);
  await writeFile(join(repo.path, 'scratch.md'), 'untracked notes\n');
  return repo.git(['status', '--porcelain=v1']);
}

describe('mergeBack into a checked-out base branch', () => {
  it('squashes into main and updates the main checkout, keeping the user’s edits to other files byte for byte', async () => {
    const statusBefore = await makeUserEdits();
    const result = await merge('squash');

    expect(result.updatedCheckout).toBe(repo.path);
    expect(await rev('main')).toBe(result.sha);
    expect((await repo.git(['log', '-1', '--format=%P %s', 'main'])).trim()).toBe(
      `${baseBefore} Session work`,
    );
    expect(await read('a.txt')).toBe('a from the session\n');
    expect(await read('new.txt')).toBe('new\n');
    // The user's work: unchanged, and still staged / unstaged / untracked as it was.
    expect(await read('b.txt')).toBe('b edited by the user, not staged\n');
    expect(await read('c.txt')).toBe('c edited and staged\n');
    expect(await read('scratch.md')).toBe('untracked notes\n');
    expect(await repo.git(['status', '--porcelain=v1'])).toBe(statusBefore);
    expect(await repo.git(['diff', '--cached', '--name-only'])).toBe('c.txt\n');
  });

  it('makes a merge commit with both parents for the merge strategy', async () => {
    const tip = await rev(branch);
    const result = await merge('merge');
    expect((await repo.git(['log', '-1', '--format=%P', result.sha])).trim()).toBe(`${baseBefore} ${tip}`);
    expect(await read('new.txt')).toBe('new\n');
    expect(await repo.git(['status', '--porcelain=v1'])).toBe('');
  });

  it('refuses when the user modified a file the merge changes, and changes nothing', async () => {
    await makeUserEdits();
    await writeFile(join(repo.path, 'a.txt'), 'the user’s own a\n');
    const statusBefore = await repo.git(['status', '--porcelain=v1']);
    const indexBefore = await repo.git(['ls-files', '-s']);

    const error = await merge().catch((caught) => caught);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.conflicts).toEqual(['a.txt']);
    expect(error.message).toMatch(/uncommitted changes .* a\.txt .*Nothing was changed/);
    expect(await rev('main')).toBe(baseBefore);
    expect(await read('a.txt')).toBe('the user’s own a\n');
    expect(await repo.git(['status', '--porcelain=v1'])).toBe(statusBefore);
    expect(await repo.git(['ls-files', '-s'])).toBe(indexBefore);
  });

  it('is not fooled by a file the merge changes whose timestamp moved but whose content did not', async () => {
    const later = new Date(Date.now() + 60_000);
    await utimes(join(repo.path, 'a.txt'), later, later);
    const result = await merge();
    expect(await rev('main')).toBe(result.sha);
    expect(await read('a.txt')).toBe('a from the session\n');
  });

  it('refuses when an untracked file of the user is where the merge adds one', async () => {
    await writeFile(join(repo.path, 'new.txt'), 'the user’s own new.txt\n');
    const error = await merge().catch((caught) => caught);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.conflicts).toEqual(['new.txt']);
    expect(await rev('main')).toBe(baseBefore);
    expect(await read('new.txt')).toBe('the user’s own new.txt\n');
  });

  it('updates a linked worktree that has the base branch checked out', async () => {
    await repo.git(['checkout', '-q', '-b', 'elsewhere']);
    const otherCheckout = join(data.path, 'other');
    await repo.git(['worktree', 'add', '-q', otherCheckout, 'main']);
    await writeFile(join(otherCheckout, 'b.txt'), 'edited in the other checkout\n');

    const result = await merge();
    expect(result.updatedCheckout).toBe(otherCheckout);
    expect(await readFile(join(otherCheckout, 'a.txt'), 'utf8')).toBe('a from the session\n');
    expect(await readFile(join(otherCheckout, 'b.txt'), 'utf8')).toBe('edited in the other checkout\n');
    // The main checkout, on another branch, is untouched.
    expect(await read('a.txt')).toBe('a\n');
  });
});

describe('mergeBack into a branch that is not checked out', () => {
  it('moves only the ref (no checkout changes)', async () => {
    await repo.git(['checkout', '-q', '-b', 'feature']);
    await writeFile(join(repo.path, 'b.txt'), 'user work on feature\n');
    const result = await merge('squash');
    expect(result.updatedCheckout).toBeNull();
    expect(await rev('main')).toBe(result.sha);
    expect(await repo.git(['show', `${result.sha}:a.txt`])).toBe('a from the session\n');
    expect((await repo.git(['symbolic-ref', '--short', 'HEAD'])).trim()).toBe('feature');
    expect(await read('a.txt')).toBe('a\n');
    expect(await read('b.txt')).toBe('user work on feature\n');
  });

  it('merges on top of new base commits that do not conflict', async () => {
    await repo.git(['checkout', '-q', '-b', 'feature']);
    await repo.git(['checkout', '-q', 'main']);
    await writeFile(join(repo.path, 'c.txt'), 'c changed on main\n');
    await repo.commitAll('main moves on');
    await repo.git(['checkout', '-q', 'feature']);
    const mainTip = await rev('main');
    const result = await merge('merge');
    expect(await repo.git(['show', `${result.sha}:c.txt`])).toBe('c changed on main\n');
    expect(await repo.git(['show', `${result.sha}:a.txt`])).toBe('a from the session\n');
    expect((await repo.git(['log', '-1', '--format=%P', result.sha])).trim().split(' ')[0]).toBe(mainTip);
  });
});

describe('mergeBack refusals', () => {
  it('reports conflicting paths and changes nothing when the branches conflict', async () => {
    await writeFile(join(repo.path, 'a.txt'), 'a changed differently on main\n');
    await repo.commitAll('conflicting change');
    const mainTip = await rev('main');
    const error = await merge().catch((caught) => caught);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.conflicts).toEqual(['a.txt']);
    expect(await rev('main')).toBe(mainTip);
    expect(await repo.git(['status', '--porcelain=v1'])).toBe('');
  });

  it('says there is nothing to merge when the base already has everything', async () => {
    await merge('merge');
    await expect(merge('merge')).rejects.toThrow(/Nothing to merge/);
  });

  it('says there is nothing to merge for a branch squash-merged already, instead of an empty commit', async () => {
    await merge('squash');
    const mainTip = await rev('main');
    await expect(merge('squash')).rejects.toThrow(/Nothing to merge: the changes on .* are already on main/);
    expect(await rev('main')).toBe(mainTip);
  });

  it('refuses a base that is not a local branch', async () => {
    const error = await mergeBack({
      repoPath: repo.path,
      baseBranch: 'origin/main',
      branch,
      strategy: 'squash',
      message: 'x',
    }).catch((caught) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.message).toMatch(/not a local branch/);
  });
});
