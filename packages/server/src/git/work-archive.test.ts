import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTempRepo, type TempRepo } from '@chatml/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeIgnored, saveUncommittedWork } from './work-archive.js';

let repo: TempRepo;
beforeEach(async () => {
  repo = await createTempRepo({ files: { 'a.txt': 'a\n', 'b.txt': 'b\n' } });
});
afterEach(async () => {
  await repo.cleanup();
});

describe('saveUncommittedWork', () => {
  it('leaves the index and the files exactly as they were', async () => {
    await writeFile(join(repo.path, 'a.txt'), 'staged\n');
    await repo.git(['add', 'a.txt']);
    await writeFile(join(repo.path, 'b.txt'), 'unstaged\n');
    await writeFile(join(repo.path, 'new.txt'), 'untracked\n');
    const indexBefore = await readFile(join(repo.path, '.git', 'index'));
    const statusBefore = await repo.git(['status', '--porcelain', '--untracked-files=all']);

    const saved = await saveUncommittedWork(repo.path, 'ses_x');

    expect(saved.archivedRef).toBe('refs/chatml/archive/ses_x');
    expect(await readFile(join(repo.path, '.git', 'index'))).toEqual(indexBefore);
    expect(await repo.git(['status', '--porcelain', '--untracked-files=all'])).toBe(statusBefore);
    expect(statusBefore).toBe('M  a.txt\n M b.txt\n?? new.txt\n');
    expect(await repo.git(['show', 'refs/chatml/archive/ses_x:new.txt'])).toBe('untracked\n');
    expect((await repo.git(['log', '-1', '--format=%an <%ae>', 'refs/chatml/archive/ses_x'])).trim()).toBe(
      'ChatML <chatml@localhost>',
    );
  });

  it('keeps an overwritten archive in the reflog', async () => {
    await writeFile(join(repo.path, 'a.txt'), 'first\n');
    await saveUncommittedWork(repo.path, 'ses_y');
    const first = (await repo.git(['rev-parse', 'refs/chatml/archive/ses_y'])).trim();
    await writeFile(join(repo.path, 'a.txt'), 'second\n');
    await saveUncommittedWork(repo.path, 'ses_y');
    const reflog = await repo.git(['reflog', 'show', '--format=%H', 'refs/chatml/archive/ses_y']);
    expect(reflog.trim().split('\n')).toContain(first);
  });

  it('keeps small git-ignored files (.env), not ignored folders or large files, and says which is which', async () => {
    await writeFile(join(repo.path, '.gitignore'), '.env\nbuild/\n*.bin\nnotes*\n');
    await repo.git(['add', '.gitignore']);
    await repo.git(['commit', '-q', '-m', 'ignore']);
    await writeFile(join(repo.path, '.env'), 'SECRET=1\n');
    // A name with pathspec magic characters must be taken literally.
    await writeFile(join(repo.path, 'notes[1].txt'), 'mine\n');
    await writeFile(join(repo.path, 'notes1.txt'), 'not this one\n');
    await mkdir(join(repo.path, 'build'));
    await writeFile(join(repo.path, 'build', 'out.js'), 'built\n');
    await writeFile(join(repo.path, 'big.bin'), Buffer.alloc(2 << 20));
    const indexBefore = await readFile(join(repo.path, '.git', 'index'));

    const saved = await saveUncommittedWork(repo.path, 'ses_i');

    expect(saved.keptIgnored.sort()).toEqual(['.env', 'notes1.txt', 'notes[1].txt']);
    expect(saved.droppedIgnored.sort()).toEqual(['big.bin', 'build/']);
    expect(await repo.git(['show', 'refs/chatml/archive/ses_i:.env'])).toBe('SECRET=1\n');
    expect(await repo.git(['show', 'refs/chatml/archive/ses_i:notes[1].txt'])).toBe('mine\n');
    expect(await readFile(join(repo.path, '.git', 'index'))).toEqual(indexBefore);
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    expect(describeIgnored(saved)).toBe(
      `Git-ignored files saved with the work: ${saved.keptIgnored.join(', ')}. Deleted with the worktree (git-ignored folders and large files, not saved): ${saved.droppedIgnored.join(', ')}.`,
    );
    expect(describeIgnored({ keptIgnored: [], droppedIgnored: [] })).toBeNull();
  });
});
