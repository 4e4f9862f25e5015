export * from './fake-anthropic/index.js';
export * from './repos/index.js';
