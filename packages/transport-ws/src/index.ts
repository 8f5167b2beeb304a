export * from './webSocketTransport.js';
