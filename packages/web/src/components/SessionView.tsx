import { PermissionMode, type Session } from '@chatml/protocol';
import { useMemo, useState } from 'react';
import { useServices, useSessionTranscript } from '../app/services';
import type { PermissionItem } from '../state/transcript-types';
import { Composer } from './Composer';
import { ChangesPanel } from './changes/ChangesPanel';
import { Conversation } from './conversation/Conversation';
import { WorktreeContext } from './conversation/worktree-context';
import { PermissionModeOptions } from './NewSessionForm';
import { type PermissionDecision, PermissionPrompt } from './PermissionPrompt';
import { StatusBadge } from './StatusBadge';
import { usePersistentFlag } from './use-persistent-flag';

/** Centre and right panes for one session: header, conversation, pending approvals, composer, changes. */
export function SessionView({ session }: { session: Session }) {
  const { api, catalog } = useServices();
  const { transcript, isCaughtUp, error } = useSessionTranscript(session.id);
  const [isChangesOpen, setChangesOpen] = usePersistentFlag('chatml.changesOpen', false);
  const [followSignal, setFollowSignal] = useState(0);
  const [settingsError, setSettingsError] = useState<string>();

  const pendingPermissions = useMemo(
    () =>
      transcript.items.filter(
        (item): item is PermissionItem => item.kind === 'permission' && item.state === 'pending',
      ),
    [transcript.items],
  );
  const isArchived = session.status === 'archived';
  const isRunning =
    transcript.activeTurnId !== undefined ||
    session.status === 'running' ||
    session.status === 'waiting_permission';

  const send = async (text: string) => {
    await api.sendMessage(session.id, text);
    setFollowSignal((signal) => signal + 1);
  };
  const lastUserText = transcript.lastUserText;
  const retry =
    lastUserText !== undefined && !isRunning && !isArchived ? () => void send(lastUserText) : undefined;
  const decide = (requestId: string) => (decision: PermissionDecision) =>
    api.decidePermission(session.id, requestId, decision);
  const changeMode = async (value: string) => {
    try {
      catalog.addSession(
        await api.updateSession(session.id, { permissionMode: PermissionMode.parse(value) }),
      );
      setSettingsError(undefined);
    } catch (caught) {
      setSettingsError(caught instanceof Error ? caught.message : String(caught));
    }
  };

  return (
    <div className={isChangesOpen ? 'session-layout with-changes' : 'session-layout'}>
      <section className="session-view" aria-label={`Session ${session.name}`}>
        <header className="session-header">
          <h1 className="session-title">{session.name}</h1>
          <span className="session-branch">{session.branch}</span>
          <StatusBadge status={session.status} />
          {session.queuedMessages > 0 && <span className="muted">{session.queuedMessages} queued</span>}
          <span className="spacer" />
          <label className="visually-hidden" htmlFor="session-mode">
            Permission mode
          </label>
          <select
            id="session-mode"
            className="input compact"
            value={session.permissionMode}
            disabled={isArchived}
            onChange={(event) => void changeMode(event.target.value)}
          >
            <PermissionModeOptions />
          </select>
          <button
            type="button"
            className="button"
            data-testid="changes-toggle"
            aria-pressed={isChangesOpen}
            onClick={() => setChangesOpen(!isChangesOpen)}
          >
            Changes
          </button>
        </header>
        {(error ?? settingsError) && (
          <p className="form-error" role="alert">
            {error ?? settingsError}
          </p>
        )}
        {session.status === 'error' && session.statusReason && (
          <p className="notice is-error">{session.statusReason}</p>
        )}
        <WorktreeContext.Provider value={session.worktreePath}>
          <Conversation
            key={session.id}
            transcript={transcript}
            isLoading={!isCaughtUp}
            onRetry={retry}
            followSignal={followSignal}
          />
          {pendingPermissions.length > 0 && (
            <div className="permission-dock">
              {pendingPermissions.map((item) => (
                <PermissionPrompt key={item.key} item={item} onDecide={decide(item.requestId)} />
              ))}
            </div>
          )}
        </WorktreeContext.Provider>
        <Composer
          isRunning={isRunning}
          isDisabled={isArchived}
          onSend={send}
          onStop={() => api.interrupt(session.id)}
        />
      </section>
      {isChangesOpen && <ChangesPanel sessionId={session.id} refreshSignal={transcript.turnsEnded} />}
    </div>
  );
}
