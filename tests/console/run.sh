#!/usr/bin/env bash
# ctest's console_browser: the console test (console.test.mjs) in Debian's
# chromium. scripts/deps.sh installs chromium and runs `npm ci` here; when
# node_modules is missing (a fresh checkout built without `make`), npm ci
# runs now, from npm's cache when it has the pinned version.
#
#   tests/console/run.sh BUILD_DIR [--update-docs]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v node >/dev/null || { echo "console test: node is missing; run scripts/deps.sh" >&2; exit 1; }
if [ ! -f "$here/node_modules/playwright-core/package.json" ]; then
  (cd "$here" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error)
fi
exec node "$here/console.test.mjs" "$@"
