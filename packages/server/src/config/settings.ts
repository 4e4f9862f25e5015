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
  const parsed = parseSettings(path, text);
  if ('problem' in parsed) {
    logger.warn(`${parsed.problem}; using default settings`);
    return {};
  }
  return parsed.settings;
}

export type ParsedSettings =
  /** `json` is the file's own object, keys in the user's order (the schema is strict: same keys). */
  | { settings: Settings; json: Record<string, unknown> }
  /** What is wrong, naming the file, for the log or for the user. */
  | { problem: string };

/** The file's text as settings, or what is wrong with it (the same words at start and on save). */
export function parseSettings(path: string, text: string): ParsedSettings {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { problem: `${path} is not valid JSON (${(error as Error).message})` };
  }
  const parsed = Settings.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { problem: `${path}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}` };
  }
  return { settings: parsed.data, json: json as Record<string, unknown> };
}
