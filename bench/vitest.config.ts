import { mergeConfig } from 'vitest/config';
import shared from '../vitest.shared.js';

export default mergeConfig(shared, {
  // The smoke run forks a dozen processes; it gets the machine to itself within this package.
  test: { fileParallelism: false },
});
