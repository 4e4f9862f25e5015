import { createTempRepo, type TempRepo } from '@chatml/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../errors.js';
import { listUncommittedPaths, refuseUncommittedChanges } from './uncommitted-changes.js';

let repo: TempRepo;

beforeEach(async () => {
  repo = await createTempRepo({ files: { 'a.txt': 'a\n', 'b.txt': 'b\n' } });
});
afterEach(async () => {
  await repo.cleanup();
});

const advice = 'commit or discard them first.';
const refusal = (includeUntracked: boolean) =>
  refuseUncommittedChanges(repo.path, { includeUntracked, advice }).then(
    () => null,
    (caught: unknown) => caught,
  );

describe('refuseUncommittedChanges', () => {
  it('resolves in a clean worktree', async () => {
    expect(await refusal(true)).toBeNull();
  });

  it('refuses with modified, staged and deleted tracked files, listing each as a conflict', async () => {
    await repo.writeFiles({ 'a.txt': 'changed\n', 'b.txt': null });
    await repo.writeFiles({ 'c.txt': 'new\n' });
    await repo.git(['add', 'c.txt']);
    const error = await refusal(false);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).conflicts).toEqual(['a.txt', 'b.txt', 'c.txt']);
    expect((error as ConflictError).message).toBe(
      `The session has uncommitted changes (a.txt, b.txt, c.txt) — ${advice}`,
    );
  });

  it('counts untracked files only when asked to', async () => {
    await repo.writeFiles({ 'new.txt': 'new\n' });
    expect(await refusal(false)).toBeNull();
    const error = await refusal(true);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).conflicts).toEqual(['new.txt']);
  });

  it('names the first five paths in the message and all of them as conflicts', async () => {
    const names = ['f1', 'f2', 'f3', 'f4', 'f5', 'f6'].map((name) => `${name}.txt`);
    await repo.writeFiles(Object.fromEntries(names.map((name) => [name, 'new\n'])));
    const error = (await refusal(true)) as ConflictError;
    expect(error.conflicts).toEqual(names);
    expect(error.message).toBe(
      `The session has uncommitted changes (${names.slice(0, 5).join(', ')}, …) — ${advice}`,
    );
  });

  it('names a staged rename once, by its whole new path, spaces included', async () => {
    await repo.git(['mv', 'a.txt', 'renamed file.txt']);
    const error = (await refusal(false)) as ConflictError;
    expect(error.conflicts).toEqual(['renamed file.txt']);
    expect(error.message).toBe(`The session has uncommitted changes (renamed file.txt) — ${advice}`);
  });
});

describe('listUncommittedPaths', () => {
  it('lists a staged rename by its new path and a modified path with spaces, each whole and once', async () => {
    await repo.writeFiles({ 'with space.txt': 'x\n' });
    await repo.git(['add', 'with space.txt']);
    await repo.git(['commit', '-m', 'add a path with a space']);
    await repo.git(['mv', 'b.txt', 'moved b.txt']);
    await repo.writeFiles({ 'with space.txt': 'changed\n' });
    const paths = await listUncommittedPaths(repo.path, { untrackedFiles: 'no' });
    expect(paths.sort()).toEqual(['moved b.txt', 'with space.txt']);
  });

  it('lists untracked files one by one with all, an untracked folder once as configured, none with no', async () => {
    await repo.writeFiles({ 'new/one.txt': '1\n', 'new/two.txt': '2\n' });
    expect(await listUncommittedPaths(repo.path, { untrackedFiles: 'all' })).toEqual([
      'new/one.txt',
      'new/two.txt',
    ]);
    // 'as-configured' follows status.showUntrackedFiles: pin git's default in the repo itself, so a
    // global or system setting on the machine running the tests cannot change the answer.
    await repo.git(['config', 'status.showUntrackedFiles', 'normal']);
    expect(await listUncommittedPaths(repo.path, { untrackedFiles: 'as-configured' })).toEqual(['new/']);
    await repo.git(['config', 'status.showUntrackedFiles', 'all']);
    expect(await listUncommittedPaths(repo.path, { untrackedFiles: 'as-configured' })).toEqual([
      'new/one.txt',
      'new/two.txt',
    ]);
    expect(await listUncommittedPaths(repo.path, { untrackedFiles: 'no' })).toEqual([]);
  });
});
