import { chmod, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileDiff } from '@chatml/protocol';
import { createTempRepo, type TempRepo } from '@chatml/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countPatch, DiffOutputParser, parseCombinedDiff } from './diff-parser.js';
import { STABLE_DIFF_ARGS } from './diff-service.js';
import { runGit } from './run-git.js';

let repo: TempRepo;

beforeEach(async () => {
  repo = await createTempRepo({
    files: {
      'dashes.txt': '-- a line that starts with dashes\n++ and one with pluses\nkeep\n',
      'no-eol.txt': 'first\nlast without newline',
      'moved.txt': Array.from({ length: 20 }, (_, index) => `moved line ${index}\n`).join(''),
      'gone.txt': 'one\ntwo\n',
      'becomes-link.txt': 'a file that becomes a symlink\nsecond line\n',
      'script.sh': 'echo hi\n',
      'data.bin': Buffer.from([0, 1, 2, 3]),
    },
  });
});
afterEach(async () => {
  await repo.cleanup();
});

const diffOutput = async (views: string[]) =>
  (
    await runGit(['diff', '--raw', ...views, '-z', '--find-renames', ...STABLE_DIFF_ARGS, 'HEAD'], {
      cwd: repo.path,
      config: { 'core.quotePath': 'false' },
    })
  ).stdout;

describe('parseCombinedDiff', () => {
  it('reads the same counts off the patch as git --numstat gives, for every kind of change', async () => {
    const file = (name: string) => join(repo.path, name);
    await writeFile(file('dashes.txt'), '--- now three dashes\n+++ and three pluses\nkeep\n');
    await writeFile(file('no-eol.txt'), 'first\nchanged last, still no newline');
    await repo.git(['mv', 'moved.txt', 'renamed.txt']);
    await writeFile(
      file('renamed.txt'),
      Array.from({ length: 20 }, (_, index) => `moved line ${index === 3 ? 'three' : index}\n`).join(''),
    );
    await rm(file('gone.txt'));
    await rm(file('becomes-link.txt'));
    await symlink('dashes.txt', file('becomes-link.txt'));
    await chmod(file('script.sh'), 0o755);
    await writeFile(file('data.bin'), Buffer.from([0, 9, 9, 9, 9]));
    await writeFile(file('new.txt'), 'brand\nnew\n');
    await repo.git(['add', '--all']);

    const withNumstat = parseCombinedDiff(await diffOutput(['--numstat', '--patch']));
    const fromPatch = parseCombinedDiff(await diffOutput(['--patch']));
    expect(fromPatch).toEqual(withNumstat);
    const counts = Object.fromEntries(
      fromPatch.map((entry) => [entry.path, [entry.status, entry.additions, entry.deletions, entry.binary]]),
    );
    expect(counts).toEqual({
      'becomes-link.txt': ['type_changed', 1, 2, false],
      'dashes.txt': ['modified', 2, 2, false],
      'data.bin': ['modified', 0, 0, true],
      'gone.txt': ['deleted', 0, 2, false],
      'new.txt': ['added', 2, 0, false],
      'no-eol.txt': ['modified', 1, 1, false],
      'renamed.txt': ['renamed', 1, 1, false],
      'script.sh': ['modified', 0, 0, false],
    });
    // The list without patches (numstat only) agrees too, with no patch text.
    const listOnly = parseCombinedDiff(await diffOutput(['--numstat']));
    expect(listOnly).toEqual(withNumstat.map((entry) => ({ ...entry, patch: '' })));
  });

  it('parses the same output fed in pieces of any size, handing each file over once its patch is complete', async () => {
    const file = (name: string) => join(repo.path, name);
    await writeFile(file('dashes.txt'), '--- now three dashes\n');
    await rm(file('becomes-link.txt'));
    await symlink('dashes.txt', file('becomes-link.txt'));
    await writeFile(file('data.bin'), Buffer.from([0, 9, 9, 9, 9]));
    await writeFile(file('quote"d\tname.txt'), 'a name git has to quote\n');
    await repo.git(['mv', 'moved.txt', 'renamed.txt']);
    await repo.git(['add', '--all']);
    for (const views of [['--patch'], ['--numstat', '--patch'], ['--numstat'], []]) {
      const output = await diffOutput(views);
      const whole = parseCombinedDiff(output);
      expect(whole).toHaveLength(5);
      for (const size of [1, 7, 100, 4096]) {
        const seen: FileDiff[] = [];
        const parser = new DiffOutputParser((parsed) => seen.push(parsed));
        let pushedWhenFirstOut = Number.POSITIVE_INFINITY;
        for (let at = 0; at < output.length; at += size) {
          parser.push(output.slice(at, at + size));
          if (seen.length > 0) pushedWhenFirstOut = Math.min(pushedWhenFirstOut, at + size);
        }
        const beforeEnd = seen.length;
        parser.end();
        expect(seen).toEqual(whole);
        if (views.includes('--patch')) {
          // All but the last file are out before the output ends; in small pieces, the first one
          // before the last file's patch has even begun.
          expect(beforeEnd).toBe(whole.length - 1);
          if (size < 100) expect(pushedWhenFirstOut).toBeLessThan(output.lastIndexOf('\ndiff --git '));
        } else {
          expect(beforeEnd).toBe(0);
        }
      }
    }
  });

  it('refuses output that stops in the middle of a record', () => {
    expect(() => parseCombinedDiff(':100644 100644 abc def M\0src/a.ts')).toThrow(/Unexpected end/);
  });

  it('gives an empty list for no changes', async () => {
    expect(parseCombinedDiff(await diffOutput(['--patch']))).toEqual([]);
  });
});

describe('countPatch', () => {
  it('counts only lines inside hunks', () => {
    const patch = [
      'diff --git a/x b/x',
      'index 1..2 100644',
      '--- a/x',
      '+++ b/x',
      '@@ -1,2 +1,2 @@',
      '-old',
      '+new',
      ' same',
      '@@ -10 +10,2 @@',
      '+++ a content line that starts with pluses',
      '+',
      '\\ No newline at end of file',
      '',
    ].join('\n');
    expect(countPatch(patch)).toEqual({ additions: 3, deletions: 1, binary: false });
  });

  it('calls binary patches binary, with no counts', () => {
    const patch = 'diff --git a/b b/b\nindex 1..2 100644\nBinary files a/b and b/b differ\n';
    expect(countPatch(patch)).toEqual({ additions: 0, deletions: 0, binary: true });
    expect(countPatch('')).toEqual({ additions: 0, deletions: 0, binary: false });
  });
});
