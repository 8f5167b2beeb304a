import { createMemoryBus } from '../src/index.js';
import { busContract } from '../src/testing/index.js';

busContract('in-memory', () => {
  const bus = createMemoryBus();
  return { sender: bus, receiver: bus };
});

busContract('in-memory, serialized', () => {
  const bus = createMemoryBus({ serialize: true });
  return { sender: bus, receiver: bus };
});
