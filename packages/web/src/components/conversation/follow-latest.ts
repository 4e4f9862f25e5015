import type { Virtualizer } from '@tanstack/react-virtual';

/** How close to the bottom (px) still counts as "at the latest", so following goes on or resumes. */
export const FOLLOW_THRESHOLD_PX = 48;

/** Below this the view is at the end: sub-pixel scroll positions never quite reach it. */
const AT_END_PX = 1;

/**
 * How long after a turn of the wheel or a key the user counts as scrolling: the browser's first
 * scroll event follows the input within a frame or two, a smooth scroll goes on a few frames more.
 */
const USER_SCROLL_MS = 300;

/**
 * Keys that scroll the focused log (or the log around a focused button) up. Only the way up counts,
 * as with the wheel: scrolling down never leaves the end.
 */
const SCROLL_UP_KEYS = new Set(['ArrowUp', 'PageUp', 'Home']);

/** A scroll event this close to a position we wrote is that write arriving (browsers round). */
const OWN_WRITE_PX = 1.5;

/** How many recent writes a scroll event may be the echo of (a command, then its corrections). */
const REMEMBERED_WRITES = 4;

/**
 * How long a write may wait for its scroll event. The browser fires it by the next frame; an older
 * write must not claim a later scroll — opening a short session writes 0, and a scroll back to the
 * top minutes later (find in page) is not that write's echo.
 */
const ECHO_WINDOW_MS = 250;

type ListView = Pick<Virtualizer<HTMLDivElement, Element>, 'scrollOffset' | 'scrollRect' | 'getTotalSize'>;

/**
 * Whether the conversation follows the newest output, and keeping it at the very end while it does.
 *
 * Following stops when something other than the list itself scrolls the log up away from the end:
 * the user (wheel, keys, scrollbar, touch) or what they do (find in page, a screen reader). It
 * resumes when the log comes back near the end or the user asks for the latest. It is not read off
 * the position after each change: the virtualiser keeps the end only for rows appended after the
 * last one and for growing items, so rows inserted before the trailing queued messages (a turn's
 * footer, the next turn's reply) or a viewport that shrank (a notice above the log) left the view
 * short of the end — which then read as "the user scrolled away", or hid a cut-off row inside the
 * threshold. The virtualiser's own offset also moves both ways as it measures and clamps. So only
 * scroll events count, and not the ones that echo the list's own writes; and while following, any
 * other change scrolls to the very end again.
 */
export class FollowLatest {
  private following = true;
  /** Where the log was last seen or put: by its last scroll event, or by the list's last write. */
  private lastKnownTop = 0;
  /** The content's height and the viewport's at the last change, to tell growth from a scroll. */
  private lastSize = '';
  private log: HTMLElement | undefined;
  private recentWrites: { top: number; at: number }[] = [];
  private lastUserInputAt = Number.NEGATIVE_INFINITY;
  private isPointerHeld = false;
  private isScrollQueued = false;

  constructor(
    private readonly view: () => ListView,
    private readonly scrollToEnd: () => void,
    private readonly onFollowingChanged: (isFollowing: boolean) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get isFollowing(): boolean {
    return this.following;
  }

  /** The user asked for the latest (sent a message, pressed "Jump to latest", opened the session). */
  follow(): void {
    this.setFollowing(true);
    this.scrollToEnd();
  }

  /** The list is about to scroll the log to `top` (from its `scrollToFn`). */
  noteWrite(top: number): void {
    this.recentWrites = [...this.recentWrites.slice(1 - REMEMBERED_WRITES), { top, at: this.now() }];
    this.lastKnownTop = top;
  }

  /** Listens to the log's scrolling and the user's input on it; returns the way to stop. */
  observe(log: HTMLElement): () => void {
    this.log = log;
    const listening = new AbortController();
    const options = { passive: true, signal: listening.signal };
    const noteInput = () => {
      this.lastUserInputAt = this.now();
    };
    let holding: AbortController | undefined;
    const release = () => {
      holding?.abort();
      holding = undefined;
      this.isPointerHeld = false;
      noteInput();
    };
    // A button or finger down on the log — dragging its scrollbar, selecting text (which scrolls
    // the log at its edges), a touch: the user owns the scroll until the button or finger is up. A
    // pointer seen moving with no button down also ends it, in case the up happened where no event
    // reached us.
    const hold = (event: Event) => {
      release();
      this.isPointerHeld = true;
      holding = new AbortController();
      const until = { signal: holding.signal };
      const ends = event.type === 'touchstart' ? ['touchend', 'touchcancel'] : ['pointerup', 'pointercancel'];
      for (const type of ends) window.addEventListener(type, release, until);
      window.addEventListener(
        'pointermove',
        (move) => {
          if (move.buttons === 0) release();
        },
        until,
      );
    };
    log.addEventListener(
      'wheel',
      (event) => {
        if (event.deltaY < 0) noteInput();
      },
      options,
    );
    log.addEventListener(
      'keydown',
      (event) => {
        if (SCROLL_UP_KEYS.has(event.key) || (event.key === ' ' && event.shiftKey)) noteInput();
      },
      options,
    );
    log.addEventListener('scroll', () => this.onScroll(log.scrollTop), options);
    log.addEventListener('pointerdown', hold, options);
    log.addEventListener('touchstart', hold, options);
    return () => {
      this.log = undefined;
      listening.abort();
      holding?.abort();
      this.isPointerHeld = false;
    };
  }

  /** Every change of the list: rows measured, added or removed, the viewport resized, a scroll. */
  onChange(): void {
    const view = this.view();
    const distanceFromEnd = this.distanceFromEnd(view.scrollOffset ?? 0);
    if (distanceFromEnd <= FOLLOW_THRESHOLD_PX) this.setFollowing(true);
    // Only when the content or the viewport changed: a scroll alone (the list's notification of a
    // scroll event) is somebody moving the log — selecting text, autoscroll, a screen reader's small
    // steps — and being pulled back would make the last 48 px unreachable.
    const size = `${view.getTotalSize()}:${view.scrollRect?.height ?? 0}`;
    const hasResized = size !== this.lastSize;
    this.lastSize = size;
    // Not while the user scrolls: a write now would cut their scroll short.
    if (this.following && hasResized && distanceFromEnd > AT_END_PX && !this.isUserScrolling())
      this.queueScrollToEnd();
  }

  private onScroll(scrollTop: number): void {
    // Against where the log was last seen or put: a user scroll up that lands below the list's
    // newest write (the end it just moved to) is still a scroll up.
    const hasMovedUp = scrollTop < this.lastKnownTop;
    this.lastKnownTop = scrollTop;
    const since = this.now() - ECHO_WINDOW_MS;
    const echoed = this.recentWrites.findIndex(
      (write) => write.at >= since && Math.abs(write.top - scrollTop) <= OWN_WRITE_PX,
    );
    if (echoed >= 0) {
      this.recentWrites = this.recentWrites.slice(echoed + 1);
      return;
    }
    // A position past the end clamping back (the content shrank) lands at the end, so it resumes
    // following rather than ending it.
    if (this.distanceFromEnd(scrollTop) <= FOLLOW_THRESHOLD_PX) this.setFollowing(true);
    else if (hasMovedUp) this.setFollowing(false);
  }

  // From the virtualiser's own sizes rather than the element's scrollHeight, which would force a
  // layout in every notification.
  private distanceFromEnd(scrollTop: number): number {
    const view = this.view();
    return view.getTotalSize() - (view.scrollRect?.height ?? 0) - scrollTop;
  }

  private isUserScrolling(): boolean {
    return this.isPointerHeld || this.now() - this.lastUserInputAt < USER_SCROLL_MS;
  }

  private setFollowing(isFollowing: boolean): void {
    if (this.following === isFollowing) return;
    this.following = isFollowing;
    this.onFollowingChanged(isFollowing);
  }

  // After the notification, not inside it: the virtualiser notifies mid-update (a batch of
  // measurements, a scroll event) and a scroll command started there would act on half of it.
  // A microtask still runs before the browser paints, so the cut-off frame never shows.
  private queueScrollToEnd(): void {
    if (this.isScrollQueued) return;
    this.isScrollQueued = true;
    queueMicrotask(() => {
      this.isScrollQueued = false;
      if (!this.following) return;
      if (this.wasScrolledUpUnseen()) this.setFollowing(false);
      else this.scrollToEnd();
    });
  }

  /**
   * Something scrolled the log up whose scroll event has not come yet: a script, find in page, a
   * screen reader set its position in this same task. Scrolling to the end now would undo that
   * before anyone saw it (and the event would then report the end). Reading the position costs no
   * extra layout here: the write that would follow needs the same one.
   */
  private wasScrolledUpUnseen(): boolean {
    if (!this.log) return false;
    const top = this.log.scrollTop;
    return top < this.lastKnownTop - FOLLOW_THRESHOLD_PX && this.distanceFromEnd(top) > FOLLOW_THRESHOLD_PX;
  }
}
