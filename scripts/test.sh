#!/usr/bin/env bash
# The test command: set up everything, then lint, typecheck, build and test.
set -euo pipefail
cd "$(dirname "$0")/.."
export COREPACK_INTEGRITY_KEYS=0
export TURBO_TELEMETRY_DISABLED=1
PNPM="npx -y pnpm@10.34.8"

# Browser tests drive Debian's Chromium (never a downloaded browser build); the scale-out
# tests run Debian's redis-server and nginx as their own child processes.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v redis-server >/dev/null || missing+=(redis-server)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq
    # Installed as programs only: a policy that forbids starting the packages' system
    # services during the install, unless one is in place already.
    policy=/usr/sbin/policy-rc.d
    made_policy=
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && made_policy=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    if [ -n "$made_policy" ]; then rm -f "$policy"; fi
  else
    echo "Missing: ${missing[*]}. Run 'sudo apt-get install -y ${missing[*]}' (Debian) first." >&2
    exit 1
  fi
fi
$PNPM install --frozen-lockfile
rm -f packages/*/test-results.json apps/*/test-results.json bench/test-results.json docs/test-results.json
$PNPM exec turbo run lint typecheck build test lint:package --concurrency=2
if [ "${CI:-}" = "true" ]; then node scripts/test-summary.mjs; fi
