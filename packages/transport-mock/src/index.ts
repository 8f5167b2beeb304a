export {
  createLinkedTransport,
  type LinkedConnection,
  type LinkedTransport,
  type LinkedTransportOptions,
} from './createLinkedTransport.js';
export {
  createMockService,
  type MockMessageListener,
  type MockService,
  type MockServiceOptions,
} from './createMockService.js';
export type {
  InvalidFrame,
  LostFrame,
  MockClosedBy,
  MockConnection,
  VisitorIdentity,
} from './MockConnection.js';
