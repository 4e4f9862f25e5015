export * from './database.js';
export * from './event-journal.js';
export * from './event-mover-client.js';
export * from './event-store.js';
export * from './session-store.js';
export * from './workspace-store.js';
