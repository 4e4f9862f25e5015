import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the built runner entry (`dist/main.js`), for the backend to spawn:
 * `spawn(process.execPath, [RUNNER_MAIN_PATH], { stdio: ['pipe', 'pipe', 'pipe'], detached: true })`.
 */
export const RUNNER_MAIN_PATH = fileURLToPath(new URL('./main.js', import.meta.url));

export { EXIT_PROTOCOL_MISMATCH } from './runner.js';
