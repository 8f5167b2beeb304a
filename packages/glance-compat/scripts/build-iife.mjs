// Bundles the two script-tag builds: dist/glance-presence-visitor.js (core's visitor, the
// WebSocket transport and ui-dom's consent dialog) and dist/glance-presence-agent.js (core's
// agent and the transport). Tests import `buildIife` and bundle in memory.
import { fileURLToPath } from 'node:url';
import { bundleIife } from '../../../scripts/bundleIife.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

export const BUILDS = {
  visitor: { entry: '../src/visitorIife.ts', out: '../dist/glance-presence-visitor.js' },
  agent: { entry: '../src/agentIife.ts', out: '../dist/glance-presence-agent.js' },
};

/**
 * Bundles one side as a minified IIFE; with `write: false`, returns its code.
 *
 * @example
 * const code = await buildIife('visitor', { write: false });
 */
export async function buildIife(side, { write = true, minify = true } = {}) {
  const { entry, out } = BUILDS[side];
  return bundleIife({ entry: here(entry), outfile: here(out), write, minify });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await Promise.all(Object.keys(BUILDS).map((side) => buildIife(side)));
}
