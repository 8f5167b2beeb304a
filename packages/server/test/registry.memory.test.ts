import { createMemoryRegistry } from '../src/index.js';
import { registryContract } from '../src/testing/index.js';

registryContract('in-memory', () => createMemoryRegistry());
