import { createMemoryRegistry } from '../src/index.js';
import { registryContract } from './registry.contract.js';

registryContract('in-memory', () => createMemoryRegistry());
