/**
 * Size budgets (min+gzip bytes, 1 kB = 1,000 bytes) of the bundles in `measureBundles.ts`.
 *
 * `budget` is a regression guard: the size recorded when it was last set, plus ~5%. The
 * test command fails when a bundle grows past it. Lower it when a bundle shrinks; raise it
 * only on purpose, saying why in the commit.
 *
 * `target` is the goal from issue 6 (visitor API + transport-ws ≤ 16 kB, with ui-dom
 * ≤ 20 kB). We are not there yet: docs/benchmarks.md says by how much and what would get
 * us there.
 */
export const SIZE_BUDGETS: Record<string, { budget: number; target?: number }> = {
  // Recorded 2026-11-24: 29,479 / 34,298 / 32,450 bytes. Raised 2026-12-01 for sessions
  // (issue 10): the ticket messages, the machine's session transitions and the banner's
  // consent strings, ~0.6 kB; the session machinery itself stays out of these bundles
  // (`defineSessionProvider` brings it). Then: ~30,800 / ~35,900 / ~34,300 bytes.
  // Raised 2026-12-01 for push (issue 14): the visitor machine's push region and the push
  // messages of the protocol, ~1.4 kB; the push actors stay out (`definePushProvider`
  // brings them). Then: 32,177 / 37,300 / 35,649 bytes.
  visitor: { budget: 33_800, target: 16_000 },
  'visitor+ui-dom': { budget: 39_200, target: 20_000 },
  'visitor+ui-react': { budget: 37_400 },
};
