import type { EditableSettings } from '@chatml/protocol';
import { useEffect, useState } from 'react';
import { useServices } from '../app/services';

/**
 * The Settings screen's defaults, for forms that preselect them (a new session's model, a merge's
 * archive choice); asked again each time `isWanted` turns true, so a change made meanwhile shows.
 * Undefined until they arrive, and when they cannot be had (an older backend): the forms then show
 * their own fallback, which needs no message.
 */
export function useEditableSettings(isWanted = true): EditableSettings | undefined {
  const { api, ws } = useServices();
  const [settings, setSettings] = useState<EditableSettings>();
  // Changed meanwhile (in this tab or another): the form's next default follows.
  useEffect(
    () =>
      ws.onFrame((frame) => {
        if (frame.type === 'settings_updated') setSettings(frame.settings);
      }),
    [ws],
  );
  useEffect(() => {
    if (!isWanted) return;
    let isCurrent = true;
    api.settings().then(
      (loaded) => {
        if (isCurrent) setSettings(loaded);
      },
      () => undefined,
    );
    return () => {
      isCurrent = false;
    };
  }, [api, isWanted]);
  return settings;
}
