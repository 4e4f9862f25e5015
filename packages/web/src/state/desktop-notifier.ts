import type { ServerFrame, Session, SessionStatus } from '@chatml/protocol';

export interface NotificationMessage {
  title: string;
  body: string;
  /** One notification per session: a newer one replaces the older. */
  tag: string;
}

export interface NotifierContext {
  /** The page is hidden (another tab, minimised window). */
  isPageHidden: boolean;
  /** The session the user is looking at, if any. */
  shownSessionId: string | undefined;
}

const busy: ReadonlySet<SessionStatus> = new Set(['running', 'waiting_permission']);

/**
 * Whether a session's status change deserves a desktop notification. It needs input (a permission
 * question) — unless the user is looking right at it; or its turn finished or failed while the page
 * was hidden. Everything else (a session starting, being archived) stays quiet.
 */
export function notificationFor(
  previous: SessionStatus | undefined,
  session: Pick<Session, 'id' | 'name' | 'status' | 'statusReason'>,
  context: NotifierContext,
): NotificationMessage | undefined {
  if (previous === undefined || previous === session.status) return undefined;
  const tag = `chatml:${session.id}`;
  if (session.status === 'waiting_permission') {
    if (!context.isPageHidden && context.shownSessionId === session.id) return undefined;
    return { title: `${session.name} needs your approval`, body: 'The agent wants to use a tool.', tag };
  }
  if (!context.isPageHidden || !busy.has(previous)) return undefined;
  if (session.status === 'idle') return { title: `${session.name} finished`, body: 'The turn is done.', tag };
  if (session.status === 'error') {
    return { title: `${session.name} failed`, body: session.statusReason ?? 'The turn failed.', tag };
  }
  return undefined;
}

/** The slice of the browser's Notification API the notifier uses; tests pass their own. */
export interface NotificationApi {
  readonly permission: NotificationPermission;
  requestPermission(): Promise<NotificationPermission>;
  show(message: NotificationMessage, onClick: () => void): void;
}

export function browserNotificationApi(): NotificationApi | undefined {
  if (typeof Notification === 'undefined') return undefined;
  return {
    get permission() {
      return Notification.permission;
    },
    requestPermission: () => Notification.requestPermission(),
    show(message, onClick) {
      const notification = new Notification(message.title, { body: message.body, tag: message.tag });
      notification.onclick = () => {
        window.focus();
        onClick();
        notification.close();
      };
    },
  };
}

/**
 * Watches `session_updated` frames (every client gets them, for every session) and shows a desktop
 * notification when `notificationFor` says so — only when the user turned notifications on and the
 * browser granted permission. Permission is asked only from `requestPermission`, which the UI calls
 * from a button the user pressed, never on load.
 */
export class DesktopNotifier {
  private readonly statuses = new Map<string, SessionStatus>();

  constructor(
    private readonly options: {
      api: NotificationApi | undefined;
      isEnabled: () => boolean;
      context: () => NotifierContext;
      onOpen: (session: Pick<Session, 'id' | 'workspaceId'>) => void;
    },
  ) {}

  get isSupported(): boolean {
    return this.options.api !== undefined;
  }

  get permission(): NotificationPermission | 'unsupported' {
    return this.options.api?.permission ?? 'unsupported';
  }

  requestPermission(): Promise<NotificationPermission | 'unsupported'> {
    return this.options.api?.requestPermission() ?? Promise.resolve('unsupported');
  }

  /** Remember statuses from a list load, so the first frame of each session is compared to it. */
  noteSessions(sessions: Iterable<Session>): void {
    for (const session of sessions)
      if (!this.statuses.has(session.id)) this.statuses.set(session.id, session.status);
  }

  handleFrame(frame: ServerFrame): void {
    if (frame.type !== 'session_updated') return;
    const { session } = frame;
    const previous = this.statuses.get(session.id);
    this.statuses.set(session.id, session.status);
    const { api, isEnabled, context, onOpen } = this.options;
    if (!api || !isEnabled() || api.permission !== 'granted') return;
    const message = notificationFor(previous, session, context());
    if (message) api.show(message, () => onOpen(session));
  }
}
