import { PermissionMode, type Session } from '@chatml/protocol';
import { useState } from 'react';
import { useServices } from '../app/services';
import { DiffStatsBadge } from './DiffStatsBadge';
import { GitStateBadge } from './git/GitStateBadge';
import { StatusBadge } from './StatusBadge';
import { ModelOptions, modelLabel, PermissionModeOptions, permissionModeLabel } from './session-options';

/** The session's name, state and settings, with the buttons that act on the whole session. */
export function SessionHeader({
  session,
  isChangesOpen,
  onToggleChanges,
  onArchive,
}: {
  session: Session;
  isChangesOpen: boolean;
  onToggleChanges: () => void;
  onArchive: () => void;
}) {
  const { api, catalog } = useServices();
  const [error, setError] = useState<string>();
  const isArchived = session.status === 'archived';

  // A setting picked shows at once, not the old one until the backend answers (the select is
  // controlled by the session, which the answer or the session's update brings); a refused change
  // goes back to what the session has, with the error.
  const [picked, setPicked] = useState<SettingsChange>({});
  const model = picked.model ?? session.model;
  const permissionMode = picked.permissionMode ?? session.permissionMode;

  const update = async (fields: SettingsChange) => {
    setPicked((current) => ({ ...current, ...fields }));
    try {
      catalog.addSession(await api.updateSession(session.id, fields));
      setError(undefined);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setPicked((current) => withoutSettled(current, fields));
    }
  };

  return (
    <>
      <header className="session-header">
        {/* Two groups: what the session is, and what can be done to it. When the pane is too narrow
            for both on one line, the controls wrap onto a line of their own as a group. */}
        <div className="session-identity">
          <h1 className="session-title" title={session.name}>
            {session.name}
          </h1>
          <span className="session-branch" title={session.branch}>
            {session.branch}
          </span>
          <StatusBadge status={session.status} />
          <GitStateBadge session={session} />
          <DiffStatsBadge stats={session.diffStats} isLastKnown={isArchived} />
          {session.queuedMessages > 0 && (
            <span className="muted session-queued">{session.queuedMessages} queued</span>
          )}
        </div>
        <div className="session-controls trailing-group">
          {isArchived ? (
            // An archived session has no agent to change: its settings read as text, and say why.
            <>
              <ReadOnlySetting
                label="Model"
                value={modelLabel(session.model, 'Default model')}
                why="Restore the session to change its model"
              />
              <ReadOnlySetting
                label="Permission mode"
                value={permissionModeLabel(session.permissionMode)}
                why="Restore the session to change its permission mode"
              />
            </>
          ) : (
            <>
              <label className="visually-hidden" htmlFor="session-model">
                Model
              </label>
              <select
                id="session-model"
                className="input compact session-setting"
                data-testid="session-model"
                value={model ?? ''}
                title={modelLabel(model, 'Default model')}
                onChange={(event) => {
                  if (event.target.value) void update({ model: event.target.value });
                }}
              >
                <ModelOptions current={model} defaultLabel="Default model" />
              </select>
              <label className="visually-hidden" htmlFor="session-mode">
                Permission mode
              </label>
              <select
                id="session-mode"
                className="input compact session-setting"
                value={permissionMode}
                title={permissionModeLabel(permissionMode)}
                onChange={(event) =>
                  void update({ permissionMode: PermissionMode.parse(event.target.value) })
                }
              >
                <PermissionModeOptions isShort />
              </select>
            </>
          )}
          <button
            type="button"
            className="button"
            data-testid="changes-toggle"
            aria-pressed={isChangesOpen}
            aria-keyshortcuts="Alt+C"
            onClick={onToggleChanges}
          >
            Changes
          </button>
          {!isArchived && (
            <button type="button" className="button" data-testid="archive-session" onClick={onArchive}>
              Archive…
            </button>
          )}
        </div>
      </header>
      {session.permissionMode === 'bypassPermissions' && (
        <p className="notice is-warning" role="note">
          This session never asks before running tools (bypass permissions).
        </p>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

interface SettingsChange {
  model?: string;
  permissionMode?: PermissionMode;
}

/** `picked` without the settings `settled` asked for (one picked since, by a later request, stays). */
function withoutSettled(picked: SettingsChange, settled: SettingsChange): SettingsChange {
  const rest = { ...picked };
  if (settled.model !== undefined && rest.model === settled.model) delete rest.model;
  if (settled.permissionMode !== undefined && rest.permissionMode === settled.permissionMode)
    delete rest.permissionMode;
  return rest;
}

/** A setting that cannot change now, as text; the reason is its tooltip and is read out with it. */
function ReadOnlySetting({ label, value, why }: { label: string; value: string; why: string }) {
  return (
    <span className="session-setting is-read-only" title={why} data-testid="read-only-setting">
      <span className="visually-hidden">{label}: </span>
      {value}
      <span className="visually-hidden"> ({why})</span>
    </span>
  );
}
