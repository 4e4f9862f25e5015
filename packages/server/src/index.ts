export { AppPaths, defaultChatmlHome } from './config/app-paths.js';
export * from './errors.js';
export { createLogger, type Logger, silentLogger } from './logger.js';
export { type RunningServer, type ServerOptions, startServer } from './server.js';
