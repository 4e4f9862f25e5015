/** Runs a callback once, soon; returns a cancel function. Injected so tests can flush by hand. */
export type FrameScheduler = (callback: () => void) => () => void;

/**
 * Next animation frame, with a timeout as a floor: browsers pause animation frames in hidden tabs,
 * and a background session's state (status, turn ends) must still advance there.
 */
export const animationFrameScheduler: FrameScheduler = (callback) => {
  let isDone = false;
  const run = () => {
    if (isDone) return;
    isDone = true;
    cancelAnimationFrame(frame);
    clearTimeout(timer);
    callback();
  };
  const frame = requestAnimationFrame(run);
  const timer = setTimeout(run, 250);
  return () => {
    isDone = true;
    cancelAnimationFrame(frame);
    clearTimeout(timer);
  };
};
