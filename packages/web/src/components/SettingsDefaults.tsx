import type { EditableSettings } from '@chatml/protocol';
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { ApiError } from '../api/api-error';
import { useServices } from '../app/services';
import { ModelOptions } from './session-options';

type Field = keyof EditableSettings;
type SaveState = { state: 'saving' | 'saved' } | { state: 'failed'; message: string };

/**
 * The backend's defaults (`defaultModel` and `archiveAfterMerge` in settings.json), saved the moment
 * they change. A change the backend refuses goes back to the value in effect, and the reason shows
 * beside that field (for a broken settings.json, the file to fix).
 */
export function SettingsDefaults() {
  const { api, ws } = useServices();
  const [shown, setShown] = useState<EditableSettings>();
  const [loadError, setLoadError] = useState<string>();
  const [saves, setSaves] = useState<Partial<Record<Field, SaveState>>>({});
  /** What the backend last said is in effect: where a refused change goes back to. */
  const inEffect = useRef<EditableSettings | undefined>(undefined);
  /** Only the latest change's answer is shown; an earlier one could undo a later choice. */
  const latestChange = useRef(0);
  /** This tab's changes not answered yet: while any is, another tab's news waits for that answer. */
  const savesInFlight = useRef(0);
  const modelId = useId();
  const archiveId = useId();

  const load = useCallback(() => {
    let isCurrent = true;
    setLoadError(undefined);
    api.settings().then(
      (settings) => {
        if (!isCurrent) return;
        inEffect.current = settings;
        setShown(settings);
      },
      (caught: unknown) => {
        if (isCurrent) setLoadError(messageOf(caught));
      },
    );
    return () => {
      isCurrent = false;
    };
  }, [api]);
  useEffect(load, [load]);
  // A change made in another tab (or saved here) is in effect now: shown, unless one of this tab's
  // own changes is still on its way (its answer will say what is in effect).
  useEffect(
    () =>
      ws.onFrame((frame) => {
        if (frame.type !== 'settings_updated') return;
        inEffect.current = frame.settings;
        if (savesInFlight.current === 0) setShown(frame.settings);
      }),
    [ws],
  );

  const change = async (field: Field, next: EditableSettings) => {
    const thisChange = ++latestChange.current;
    savesInFlight.current++;
    setShown(next);
    setSaves((current) => ({ ...current, [field]: { state: 'saving' } }));
    try {
      const saved = await api.updateSettings({ [field]: next[field] });
      inEffect.current = saved;
      if (thisChange === latestChange.current) setShown(saved);
      setSaves((current) => ({ ...current, [field]: { state: 'saved' } }));
    } catch (caught) {
      if (thisChange === latestChange.current) setShown(inEffect.current);
      setSaves((current) => ({ ...current, [field]: { state: 'failed', message: messageOf(caught) } }));
    } finally {
      savesInFlight.current--;
    }
  };

  return (
    <section aria-labelledby="settings-defaults">
      <h2 id="settings-defaults">Defaults</h2>
      <p className="muted">
        Saved to ChatML’s <code>settings.json</code> as you change them, and used from the next session or
        merge on.
      </p>
      {loadError !== undefined ? (
        <div className="form-error" role="alert" data-testid="settings-defaults-error">
          Could not load the defaults: {loadError}{' '}
          <button type="button" className="button" onClick={load}>
            Try again
          </button>
        </div>
      ) : shown === undefined ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          <div className="settings-field">
            <label htmlFor={modelId}>Model for new sessions</label>
            <select
              id={modelId}
              className="input"
              data-testid="settings-default-model"
              value={shown.defaultModel ?? ''}
              aria-describedby={`${modelId}-save`}
              onChange={(event) =>
                void change('defaultModel', { ...shown, defaultModel: event.target.value || null })
              }
            >
              <ModelOptions
                current={shown.defaultModel}
                defaultLabel="None (the SDK’s default)"
                isDefaultOffered
              />
            </select>
            <SaveStatus
              id={`${modelId}-save`}
              save={saves.defaultModel}
              testId="settings-default-model-save"
            />
          </div>
          <div className="settings-field">
            <label htmlFor={archiveId}>
              <input
                id={archiveId}
                type="checkbox"
                data-testid="settings-archive-after-merge"
                checked={shown.archiveAfterMerge}
                aria-describedby={`${archiveId}-save`}
                onChange={(event) =>
                  void change('archiveAfterMerge', { ...shown, archiveAfterMerge: event.target.checked })
                }
              />{' '}
              Archive a session after merging it{' '}
              <span className="muted">(and delete its branch; the merge dialog starts with this choice)</span>
            </label>
            <SaveStatus
              id={`${archiveId}-save`}
              save={saves.archiveAfterMerge}
              testId="settings-archive-after-merge-save"
            />
          </div>
        </>
      )}
    </section>
  );
}

/** Beside its field: saving, saved, or why not (an alert, so it is read out at once). */
function SaveStatus({ id, save, testId }: { id: string; save: SaveState | undefined; testId: string }) {
  if (save?.state === 'failed')
    return (
      <span className="form-error" role="alert" id={id} data-testid={testId} data-state="failed">
        Not saved: {save.message}
      </span>
    );
  return (
    <span className="muted" role="status" id={id} data-testid={testId} data-state={save?.state ?? 'idle'}>
      {save?.state === 'saving' ? 'Saving…' : save?.state === 'saved' ? 'Saved' : ''}
    </span>
  );
}

/** A refused value is told by that value's problem alone; anything else as the backend put it. */
function messageOf(caught: unknown): string {
  if (caught instanceof ApiError) return caught.field?.message ?? caught.message;
  return caught instanceof Error ? caught.message : String(caught);
}
