/**
 * A tiny leveled logger writing one line per record to stderr (the launcher captures it into
 * `logs/server.log`). Never pass secrets: callers log ids and reasons, not tokens or env values.
 */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const levels = { debug: 10, info: 20, warn: 30, error: 40 } as const;
type Level = keyof typeof levels;

export function createLogger(options: { level?: Level; write?: (line: string) => void } = {}): Logger {
  const threshold = levels[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const log = (level: Level) => (message: string) => {
    if (levels[level] >= threshold) write(`${new Date().toISOString()} ${level.toUpperCase()} ${message}`);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
