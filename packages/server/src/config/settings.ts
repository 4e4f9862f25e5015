import { readFileSync } from 'node:fs';
import { Settings } from '@chatml/protocol';
import type { Logger } from '../logger.js';

/**
 * Reads `settings.json`. A missing file means defaults; a broken one is reported in the log with the
 * reason and ignored, so a typo never stops the app from starting.
 */
export function loadSettings(path: string, logger: Logger): Settings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      logger.warn(`cannot read ${path}: ${(error as Error).message}`);
    return {};
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    logger.warn(`${path} is not valid JSON (${(error as Error).message}); using default settings`);
    return {};
  }
  const parsed = Settings.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    logger.warn(`${path}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}; using default settings`);
    return {};
  }
  return parsed.data;
}
