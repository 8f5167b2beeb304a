// Generated from ToVisitor in protocol.ts by test/frameTable.test.ts: do not edit. After
// changing the schema, run `npx vitest run -u test/frameTable.test.ts` in packages/core.
import type { FrameTable } from './frameTable.js';

const VALUES_0 = [
  'malformed',
  'invalidMessage',
  'invalidParameter',
  'unauthorized',
  'forbidden',
  'notConfigured',
  'unsupportedVersion',
  'rateLimited',
  'tooLarge',
  'visitorNotPresent',
  'timeout',
  'notConnected',
  'busy',
  'internal',
  'sessionNotFound',
  'visitorAsleep',
] as const;

/** {@link FrameTable} of the `ToVisitor` channel. */
export const TO_VISITOR: FrameTable = {
  welcome: {
    v: { type: 'int' },
    connectionId: { type: 'string', checks: [{ max: 2000 }] },
    focused: { type: 'boolean' },
    epoch: { type: 'int', checks: [{ min: 0 }] },
    heartbeatMs: { type: 'int', checks: [{ min: 0 }] },
    vapidPublicKey: {
      type: 'string',
      optional: true,
      checks: [{ min: 1 }, { max: 256 }, { pattern: /^[A-Za-z0-9_-]+$/ }],
    },
  },
  blur: {
    epoch: { type: 'int', checks: [{ min: 0 }] },
  },
  focus: {
    epoch: { type: 'int', checks: [{ min: 0 }] },
  },
  showTerms: {
    id: { type: 'int', checks: [{ min: 0 }, { max: 9007199254740991 }] },
    sessionKey: {
      type: 'string',
      optional: true,
      checks: [{ min: 1 }, { max: 62 }, { pattern: /^[A-Za-z0-9_~-]+$/ }],
    },
    termsUrl: { type: 'string', optional: true, checks: [{ max: 2000 }] },
  },
  signal: {
    id: { type: 'int', checks: [{ min: 0 }, { max: 9007199254740991 }] },
    name: { type: 'string', checks: [{ min: 1 }, { max: 64 }] },
    properties: { type: 'record' },
  },
  error: {
    code: { type: 'enum', values: VALUES_0 },
    message: { type: 'string', checks: [{ max: 2000 }] },
    param: { type: 'string', optional: true, checks: [{ max: 2000 }] },
    retryAfter: { type: 'int', optional: true, checks: [{ min: 0 }] },
  },
  sessionTicket: {
    sessionKey: {
      type: 'string',
      checks: [{ min: 1 }, { max: 62 }, { pattern: /^[A-Za-z0-9_~-]+$/ }],
    },
    ticket: {
      type: 'string',
      checks: [{ min: 16 }, { max: 256 }, { pattern: /^[A-Za-z0-9_-]+$/ }],
    },
    expiresAt: { type: 'int', checks: [{ min: 0 }] },
  },
  sessionRefused: {
    sessionKey: {
      type: 'string',
      checks: [{ min: 1 }, { max: 62 }, { pattern: /^[A-Za-z0-9_~-]+$/ }],
    },
    code: { type: 'enum', values: VALUES_0 },
    message: { type: 'string', checks: [{ max: 2000 }] },
  },
  pushSubscribed: {
    endpoint: { type: 'string', checks: [{ max: 2000 }] },
  },
  pushRefused: {
    endpoint: { type: 'string', checks: [{ max: 2000 }] },
    code: { type: 'enum', values: VALUES_0 },
    message: { type: 'string', checks: [{ max: 2000 }] },
  },
  ping: {},
  pong: {},
};
