#!/usr/bin/env bash
# Installs the Debian packages libonebot needs to build and test, when missing.
# Idempotent and quiet: prints nothing when everything is already there.
set -euo pipefail
pkgs=(build-essential cmake pkg-config libwslay-dev libjsmn-dev libssl-dev libc-ares-dev
      libsqlite3-dev libcmocka-dev libhiredis-dev openssl
      redis-server          # the Redis tests start a real server (tests/support/redis_server.c)
      python3 groff-base    # the tests: README/docs checks, rendering the man page
      chromium)             # the browser console's test (tests/console), with Node below
node_pkgs=()   # Node from Debian only when the machine has none (an npm from elsewhere conflicts)
command -v node >/dev/null || node_pkgs+=(nodejs)
command -v npm >/dev/null || node_pkgs+=(npm)
pkgs+=("${node_pkgs[@]}")
# optional extras for `make fuzz`, `make valgrind`, `make bench`
case "${1:-}" in
  --fuzz)     pkgs+=(clang libclang-rt-14-dev) ;;
  --valgrind) pkgs+=(valgrind) ;;
  --bench)    pkgs+=(gnuplot-nox) ;;
  --all)      pkgs+=(clang libclang-rt-14-dev valgrind gnuplot-nox) ;;
esac

# The console test's driver: playwright-core, the exact version of
# tests/console/package-lock.json (npm ci), when it is not there yet.
console_npm() {
  local dir
  dir="$(cd "$(dirname "$0")/.." && pwd)/tests/console"
  [ -f "$dir/node_modules/playwright-core/package.json" ] && return 0
  echo "deps: npm ci in tests/console (playwright-core)" >&2
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}
missing=()
for p in "${pkgs[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then console_npm; exit 0; fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps: missing ${missing[*]}; run as root: apt-get install -y ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq "${missing[@]}" >/dev/null
console_npm
