import { createMemorySessionStore } from '../src/index.js';
import { sessionStoreContract } from './sessionStore.contract.js';

sessionStoreContract('in-memory', () => createMemorySessionStore());
