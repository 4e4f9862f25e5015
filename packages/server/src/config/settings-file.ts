import { randomBytes } from 'node:crypto';
import { open, readFile, realpath, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Settings } from '@chatml/protocol';
import { AppError, ConflictError } from '../errors.js';
import { KeyedLock } from '../util/keyed-lock.js';
import { parseSettings } from './settings.js';

/**
 * Saves changes to `settings.json` without losing anything else in it: each change reads the file as
 * it is now (the user may have edited it by hand since the start), changes only its own keys, and
 * replaces the file in one rename, so a crash leaves the old file or the new one, never half of one.
 * Changes run one at a time; two saves at once cannot lose either.
 */
export class SettingsFile {
  private readonly lock = new KeyedLock();

  constructor(readonly path: string) {}

  /**
   * `change` gets the file's object (a copy) and returns the new one (`undefined` values drop keys).
   * A file that exists but is not valid settings is refused (409) and left alone: it is the user's,
   * and overwriting it would throw away what they meant to write.
   */
  update(change: (json: Record<string, unknown>) => Record<string, unknown>): Promise<Settings> {
    return this.lock.run('settings', async () => {
      // Keys set to undefined are left out of the JSON: that is how a setting is removed.
      const text = `${JSON.stringify(change({ ...(await this.read()) }), null, 2)}\n`;
      const next = Settings.safeParse(JSON.parse(text));
      // Changes come from validated requests; a file the next start would ignore is a bug here.
      if (!next.success) throw new Error(`refusing to save invalid settings: ${next.error.message}`);
      await this.write(text);
      return next.data;
    });
  }

  private async read(): Promise<Record<string, unknown>> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new ConflictError(
        `ChatML cannot read ${this.path} (${(error as Error).message}), so it will not replace it. Make it readable (or remove it), then try again.`,
        { cause: error },
      );
    }
    const parsed = parseSettings(this.path, text);
    if ('problem' in parsed)
      throw new ConflictError(
        `${parsed.problem}. ChatML will not overwrite that file, so nothing was changed (the settings in effect stay as they are); fix it (or remove it), then try again.`,
      );
    return parsed.json;
  }

  private async write(text: string): Promise<void> {
    // A settings.json that links elsewhere (kept with dotfiles) stays a link: the file it names is replaced.
    const target = await realpath(this.path).catch(() => this.path);
    const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(text);
        // The umask may only take bits away; this makes sure a stricter one did not leave 0400.
        await handle.chmod(0o600);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw new AppError(
        'storage_failed',
        `ChatML could not save ${target}: ${(error as Error).message}. Nothing was changed.`,
        503,
        { cause: error },
      );
    }
    await syncFolder(dirname(target));
  }
}

/** The rename is durable once the folder is synced; where folders cannot be opened, it is skipped. */
async function syncFolder(path: string): Promise<void> {
  try {
    const folder = await open(path, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  } catch {
    // Best effort: the rename itself already happened.
  }
}
