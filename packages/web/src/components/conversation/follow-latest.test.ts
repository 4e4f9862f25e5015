// @vitest-environment happy-dom
import '../../test/dom';
import { describe, expect, it, vi } from 'vitest';
import { FollowLatest } from './follow-latest';

/** A log whose position a script sets without the browser having fired its scroll event yet. */
function setup() {
  let scrollTop = 500;
  const log = document.createElement('div');
  Object.defineProperty(log, 'scrollTop', {
    get: () => scrollTop,
    set: (value: number) => {
      scrollTop = value;
    },
  });
  // The virtualiser's view of it: 600 px of rows in a 100 px viewport, last seen at the end.
  const view = { scrollOffset: 500, scrollRect: { height: 100, width: 300 }, total: 600 };
  const scrollToEnd = vi.fn(() => {
    scrollTop = view.total - 100;
  });
  const following = new FollowLatest(
    () => ({
      scrollOffset: view.scrollOffset,
      scrollRect: view.scrollRect,
      getTotalSize: () => view.total,
    }),
    scrollToEnd,
    () => {},
  );
  following.observe(log);
  following.noteWrite(500);
  return { log, view, scrollToEnd, following, setTop: (top: number) => (scrollTop = top) };
}

const microtasks = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe('FollowLatest', () => {
  it('keeps the end as the output grows while following', async () => {
    const { view, scrollToEnd, following } = setup();
    view.total = 700;
    following.onChange();
    await microtasks();
    expect(scrollToEnd).toHaveBeenCalledTimes(1);
    expect(following.isFollowing).toBe(true);
  });

  it('does not undo a scroll up made just before new output, while its scroll event is still to come', async () => {
    const { view, scrollToEnd, following, setTop } = setup();
    // Find in page, a screen reader or a script moves the log to the top; in the same task a
    // delta grows the answer and the list reacts before the browser fires the scroll event.
    setTop(0);
    view.total = 700;
    following.onChange();
    await microtasks();
    expect(scrollToEnd).not.toHaveBeenCalled();
    expect(following.isFollowing).toBe(false);
  });

  it('leaves a small scroll near the end where it is when nothing new came (selecting text, autoscroll)', async () => {
    const { log, view, scrollToEnd, following, setTop } = setup();
    following.onChange(); // the sizes as they are
    setTop(490);
    log.dispatchEvent(new Event('scroll'));
    view.scrollOffset = 490; // the list notices the scroll and notifies
    following.onChange();
    await microtasks();
    expect(scrollToEnd).not.toHaveBeenCalled();
    expect(following.isFollowing).toBe(true); // within the threshold: new output still follows
  });

  it('stops following on a scroll up that lands below the end the list just moved to', async () => {
    const { log, view, following, setTop } = setup();
    view.total = 800;
    following.noteWrite(700); // the list kept the end as the output grew
    setTop(600); // the user's wheel, in the same frame: above the last scroll event's 500
    log.dispatchEvent(new Event('scroll'));
    expect(following.isFollowing).toBe(false);
  });
});
