import { endToEndSuite } from '../../server/test/e2e/suite.js';
import { clusterTarget } from './clusterTarget.js';

// Every rule of the seed, with the agent, a visitor and its second instance each on a
// different process of three sharing one Redis.
endToEndSuite('3 processes, one Redis', () => clusterTarget(3));
