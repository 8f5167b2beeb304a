import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// One browser and one stack per file, and the files run one after another: the flow tests
// restart the service, and two Chromiums at once are too much for a 2-core machine.
export default mergeConfig(shared, {
  test: { fileParallelism: false, testTimeout: 60_000, hookTimeout: 120_000 },
});
