#!/usr/bin/env bash
# The README's test command (`npm test`): ensures what the tests need, builds dist/ fresh, runs the whole suite once.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-test-deps.sh
# The browser test and the plugin checks read the built plugin, and the start-up tests run the server bundle that
# `npm start` runs: both must match the sources.
npm run --silent build >/tmp/tikv-operator-build.log 2>&1 || { cat /tmp/tikv-operator-build.log; exit 1; }
npm run --silent build:server
exec npx jest --ci --maxWorkers=2 "$@"
