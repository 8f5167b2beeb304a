// The classic-script build of Beckon's worker code (dist/beckon-sw.js): a worker that is only
// Beckon's, or one that loads it with importScripts('/beckon-sw.js').
import { type BeckonServiceWorkerScope, handleBeckonPush } from './serviceWorker.js';

handleBeckonPush(self as unknown as BeckonServiceWorkerScope);
