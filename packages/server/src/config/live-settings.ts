import type { EditableSettings, Settings, UpdateSettingsBody } from '@chatml/protocol';
import type { SettingsFile } from './settings-file.js';

/**
 * The settings the Settings screen edits, as the backend applies them now. Session creation and
 * merge back read them each time, so a change counts from the next session or merge, no restart.
 */
export class LiveSettings {
  private current: EditableSettings;

  /** Told the settings in effect after each change (the backend tells every client). */
  onChanged: (settings: EditableSettings) => void = () => undefined;

  constructor(
    private readonly file: SettingsFile,
    loaded: Settings,
  ) {
    this.current = editable(loaded);
  }

  get defaultModel(): string | undefined {
    return this.current.defaultModel ?? undefined;
  }

  get archiveAfterMerge(): boolean {
    return this.current.archiveAfterMerge;
  }

  get(): EditableSettings {
    return { ...this.current };
  }

  /**
   * Saved first, applied after: a change the file refused is not in effect either. Both values are
   * then taken from the file as saved, so one edited by hand since the start counts from now too.
   */
  async update(body: UpdateSettingsBody): Promise<EditableSettings> {
    if (body.defaultModel === undefined && body.archiveAfterMerge === undefined) return this.get();
    const saved = await this.file.update((json) => ({
      ...json,
      ...(body.defaultModel !== undefined && { defaultModel: body.defaultModel ?? undefined }),
      ...(body.archiveAfterMerge !== undefined && { archiveAfterMerge: body.archiveAfterMerge }),
    }));
    this.current = editable(saved);
    this.onChanged(this.get());
    return this.get();
  }
}

function editable(settings: Settings): EditableSettings {
  return {
    defaultModel: settings.defaultModel ?? null,
    archiveAfterMerge: settings.archiveAfterMerge ?? false,
  };
}
