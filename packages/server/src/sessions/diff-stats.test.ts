import { createTempRepo, type TempRepo } from '@chatml/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { measureDiffStats, parseNumstat } from './diff-stats.js';

describe('measureDiffStats', () => {
  let repo: TempRepo | undefined;
  afterEach(() => repo?.cleanup());

  it('counts committed, uncommitted and untracked changes against the merge-base, binaries as files', async () => {
    repo = await createTempRepo({ files: { 'a.txt': '1\n2\n3\n', 'gone.txt': 'x\n' } });
    await repo.git(['checkout', '-q', '-b', 'work']);
    await repo.writeFiles({ 'a.txt': '1\nTWO\n3\n4\n' });
    await repo.commitAll('edit a');
    // A commit on main after the branch point is not the session's change.
    await repo.git(['checkout', '-q', 'main']);
    await repo.writeFiles({ 'main-only.txt': 'm\n' });
    await repo.commitAll('moved on');
    await repo.git(['checkout', '-q', 'work']);
    await repo.writeFiles({
      'gone.txt': null,
      'new.txt': 'n1\nn2\n',
      'image.bin': new Uint8Array([0, 1, 2, 0]),
    });

    const stats = await measureDiffStats({ worktreePath: repo.path, baseBranch: 'main' });
    // a.txt: -1 +2; gone.txt: -1; new.txt: +2; image.bin: binary.
    expect(stats).toEqual({ files: 4, additions: 4, deletions: 2 });
    // The worktree's own index is untouched: untracked files stay untracked.
    expect(await repo.git(['status', '--porcelain'])).toContain('?? new.txt');
  });

  it('marks a branch whose commits were squash-merged into the base, until it has new ones', async () => {
    repo = await createTempRepo({ files: { 'a.txt': 'a\n' } });
    await repo.git(['checkout', '-q', '-b', 'work']);
    await repo.writeFiles({ 'a.txt': 'changed\n' });
    await repo.commitAll('the change');
    const measure = () => measureDiffStats({ worktreePath: repo!.path, baseBranch: 'main' });
    expect((await measure()).mergedIntoBase).toBeUndefined();

    await repo.git(['checkout', '-q', 'main']);
    await repo.git(['merge', '--squash', 'work']);
    await repo.git(['commit', '-q', '-m', 'squashed']);
    await repo.git(['checkout', '-q', 'work']);
    expect(await measure()).toEqual({ files: 1, additions: 1, deletions: 1, mergedIntoBase: true });

    await repo.writeFiles({ 'b.txt': 'more\n' });
    await repo.commitAll('after the merge');
    expect((await measure()).mergedIntoBase).toBeUndefined();
  });

  it('is zero for a session that changed nothing', async () => {
    repo = await createTempRepo();
    expect(await measureDiffStats({ worktreePath: repo.path, baseBranch: 'main' })).toEqual({
      files: 0,
      additions: 0,
      deletions: 0,
    });
  });

  it('counts a renamed file once, with only the lines that changed — as the diff shows it', async () => {
    const body = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
    repo = await createTempRepo({ files: { 'src/old.ts': `${body}\n` } });
    await repo.git(['mv', 'src/old.ts', 'src/new.ts']);
    await repo.writeFiles({ 'src/new.ts': `${body}\nline 20\n` });
    expect(await measureDiffStats({ worktreePath: repo.path, baseBranch: 'main' })).toEqual({
      files: 1,
      additions: 1,
      deletions: 0,
    });
  });

  it('parses numstat records, counting binary files without lines and renames once', () => {
    expect(parseNumstat('3\t1\ta.txt\0-\t-\tb.png\0')).toEqual({ files: 2, additions: 3, deletions: 1 });
    expect(parseNumstat('')).toEqual({ files: 0, additions: 0, deletions: 0 });
    // A rename whose paths themselves look like records.
    expect(parseNumstat('1\t0\t\x002\t2\told\x003\t3\tnew\x00')).toEqual({
      files: 1,
      additions: 1,
      deletions: 0,
    });
  });
});
