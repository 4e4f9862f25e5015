import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the built runner entry (`dist/main.js`), for the backend to spawn:
 * `spawn(process.execPath, [RUNNER_MAIN_PATH], { stdio: ['pipe', 'pipe', 'pipe'], detached: true })`.
 *
 * This module imports nothing else on purpose: the backend needs only the path, and pulling in the
 * runner's modules would load the Agent SDK into the backend (~23 MiB of idle memory for nothing).
 */
export const RUNNER_MAIN_PATH = fileURLToPath(new URL('./main.js', import.meta.url));

/**
 * Absolute path of the one-shot entry (`dist/oneshot-main.js`): one JSON request on stdin, one model
 * call without tools, one JSON result line on stdout (see `OneShotRequest` in the protocol).
 */
export const ONESHOT_MAIN_PATH = fileURLToPath(new URL('./oneshot-main.js', import.meta.url));

/** Exit code of a runner that was handed a protocol version it does not speak. */
export const EXIT_PROTOCOL_MISMATCH = 2;
