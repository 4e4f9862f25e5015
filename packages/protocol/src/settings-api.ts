import { z } from 'zod';
import { ModelName } from './common.js';

/**
 * The part of `settings.json` the Settings screen edits: values the backend applies at once, with
 * nothing secret and no path in them. Everything else in the file is read at start only.
 */

/** `GET /settings`: the values in effect now (unset ones as their defaults). */
export const EditableSettings = z.object({
  /** The model a new session gets when none is chosen; null leaves it to the SDK. */
  defaultModel: z.string().nullable(),
  /** After a merge back, archive the session and delete its branch (a merge's `archive` wins). */
  archiveAfterMerge: z.boolean(),
});
export type EditableSettings = z.output<typeof EditableSettings>;

/** `PATCH /settings`: the fields to change; `defaultModel: null` removes it from the file. */
export const UpdateSettingsBody = z
  .object({
    defaultModel: ModelName.nullable().optional(),
    archiveAfterMerge: z.boolean().optional(),
  })
  .strict();
export type UpdateSettingsBody = z.output<typeof UpdateSettingsBody>;
