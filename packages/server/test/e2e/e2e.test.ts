import { expect } from 'vitest';
import { endToEndSuite } from './suite.js';
import { CONFIG, inProcessTarget, processTarget } from './targets.js';

endToEndSuite('process', processTarget);
endToEndSuite('in-process', inProcessTarget);

// Keep the config honest: the away window the tests rely on is short.
expect(CONFIG.awayAfterMs).toBeLessThan(2_000);
