/** Exit code of a backend that found another one running for its data dir: do not restart it. */
export const EXIT_ALREADY_RUNNING = 3;
