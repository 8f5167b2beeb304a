#!/usr/bin/env bash
# The test command: set up everything, then lint, typecheck, build and test.
set -euo pipefail
cd "$(dirname "$0")/.."
export COREPACK_INTEGRITY_KEYS=0
export TURBO_TELEMETRY_DISABLED=1
PNPM="npx -y pnpm@10.34.8"
$PNPM install --frozen-lockfile
rm -f packages/*/test-results.json apps/*/test-results.json
$PNPM run lint
$PNPM exec turbo run typecheck build test lint:package --concurrency=2
if [ "${CI:-}" = "true" ]; then node scripts/test-summary.mjs; fi
