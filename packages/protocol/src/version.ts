/**
 * Bumped whenever a message shape changes incompatibly. Both sides of every boundary (runner NDJSON,
 * WebSocket, launcher <-> backend) exchange it first and refuse to talk across a mismatch.
 */
export const PROTOCOL_VERSION = 1;

/** The app's version, reported by `/api/v1/health` and `chatml --version`. */
export const APP_VERSION = '0.1.0';
