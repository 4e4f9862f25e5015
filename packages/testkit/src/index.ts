export * from './fake-anthropic/index.js';
export * from './fake-github/index.js';
export * from './processes/index.js';
export * from './repos/index.js';
