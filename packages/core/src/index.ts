export * from './limits.js';
export * from './protocol.js';
