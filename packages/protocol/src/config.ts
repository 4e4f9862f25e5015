import { z } from 'zod';
import { ModelName } from './common.js';

/** `$CHATML_HOME/server.json`, mode 0600: how the launcher and CLI find the running backend. */
export const ServerInfo = z.object({
  port: z.number().int().min(1).max(65535),
  token: z.string().min(32),
  pid: z.number().int(),
  version: z.string(),
  startedAt: z.number().int(),
  demoModel: z.boolean().default(false),
});
export type ServerInfo = z.output<typeof ServerInfo>;

/** Longest delay a JavaScript timer takes (~24.8 days); a longer one would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * `$CHATML_HOME/settings.json`: user settings. Unknown keys are kept out; bad files are reported.
 * The Settings screen changes `defaultModel` and `archiveAfterMerge` (settings-api.ts).
 */
export const Settings = z
  .object({
    /** Most agent turns running at once; more wait in a visible queue. Default: from free memory. */
    maxConcurrentTurns: z.number().int().min(1).max(64).optional(),
    /** Stop a session's runner after this long idle; it resumes transparently on the next message. */
    idleRunnerTimeoutMs: z.number().int().min(1000).max(MAX_TIMER_MS).optional(),
    /** Model endpoint; the environment's `ANTHROPIC_BASE_URL` wins when set. */
    anthropicBaseUrl: z.string().url().optional(),
    defaultModel: ModelName.optional(),
    /** GitHub REST API for pull requests, e.g. `https://github.example.com/api/v3`; wins over GITHUB_API_URL. */
    githubApiUrl: z.string().url().optional(),
    /** After a merge back, archive the session and delete its branch (a request's `archive` wins). */
    archiveAfterMerge: z.boolean().optional(),
    /**
     * Scheduling niceness of agent processes (0 = same as the backend, up to 19). Default 10: an
     * agent compiling or running tests must not starve the backend that streams every session.
     */
    runnerNiceness: z.number().int().min(0).max(19).optional(),
  })
  .strict();
export type Settings = z.output<typeof Settings>;

/** The backend's single ready line on stdout, which the launcher waits for. */
export const ReadyLine = z.object({
  chatml: z.literal('ready'),
  port: z.number().int(),
  pid: z.number().int(),
  url: z.string(),
});
export type ReadyLine = z.output<typeof ReadyLine>;
