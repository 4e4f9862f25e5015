/**
 * Bumped whenever a message shape changes incompatibly (2: `GET /sessions/:id/pr` answers `null`
 * without a PR and `CommitList.mergeBase` may be null — a tab still running the version-1 UI is
 * told to reload instead of failing on them). Both sides of every boundary (runner NDJSON,
 * WebSocket, launcher <-> backend) exchange it first and refuse to talk across a mismatch.
 */
export const PROTOCOL_VERSION = 2;

/** The app's version, reported by `/api/v1/health` and `chatml --version`. */
export const APP_VERSION = '0.1.0';
