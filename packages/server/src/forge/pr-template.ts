import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readRegularFile } from '../util/read-regular-file.js';

/** Where GitHub looks for a pull request template, in its order of preference. */
const FOLDERS = ['.github', '', 'docs'];
const TEMPLATE_NAME = /^pull_request_template\.(md|markdown|txt)$/i;
const MAX_TEMPLATE_BYTES = 64 * 1024;

/**
 * The repository's pull request template, as GitHub would use it: `pull_request_template.md` (any
 * case) in `.github/`, the root or `docs/`; else the first file of a `PULL_REQUEST_TEMPLATE/`
 * folder there. Read from the session's worktree, so a template the agent changed counts.
 * Null when there is none.
 */
export async function findPullRequestTemplate(worktreePath: string): Promise<string | null> {
  for (const folder of FOLDERS) {
    const entries = await listDir(join(worktreePath, folder));
    const file = entries.find((entry) => entry.isFile() && TEMPLATE_NAME.test(entry.name));
    if (file) return readTemplate(worktreePath, join(folder, file.name));
  }
  for (const folder of FOLDERS) {
    const dir = (await listDir(join(worktreePath, folder))).find(
      (entry) => entry.isDirectory() && entry.name.toLowerCase() === 'pull_request_template',
    );
    if (!dir) continue;
    const files = (await listDir(join(worktreePath, folder, dir.name)))
      .filter((entry) => entry.isFile() && /\.(md|markdown|txt)$/i.test(entry.name))
      .map((entry) => entry.name)
      .sort();
    if (files[0]) return readTemplate(worktreePath, join(folder, dir.name, files[0]));
  }
  return null;
}

async function listDir(path: string) {
  try {
    return await readdir(path, { withFileTypes: true });
  } catch {
    // A missing folder (no .github/, no docs/) simply holds no template.
    return [];
  }
}

/** The template's text, if it is a regular file inside the worktree (a symlinked `.github` is not). */
async function readTemplate(worktreePath: string, path: string): Promise<string | null> {
  const text = (await readRegularFile(worktreePath, path, MAX_TEMPLATE_BYTES))?.toString('utf8') ?? '';
  return text.trim() === '' ? null : text;
}
