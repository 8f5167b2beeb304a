#!/usr/bin/env bash
# The test command: set up everything, then lint, typecheck, build and test.
set -euo pipefail
cd "$(dirname "$0")/.."
export COREPACK_INTEGRITY_KEYS=0
export TURBO_TELEMETRY_DISABLED=1
PNPM="npx -y pnpm@10.34.8"

# Browser tests drive Debian's Chromium (never a downloaded browser build).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium is missing: run 'sudo apt-get install -y chromium' (Debian) first." >&2
    exit 1
  fi
fi
$PNPM install --frozen-lockfile
rm -f packages/*/test-results.json apps/*/test-results.json bench/test-results.json docs/test-results.json
$PNPM exec turbo run lint typecheck build test lint:package --concurrency=2
if [ "${CI:-}" = "true" ]; then node scripts/test-summary.mjs; fi
