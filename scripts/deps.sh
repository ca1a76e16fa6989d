#!/usr/bin/env bash
# Installs the Debian packages libonebot needs to build and test, when missing.
# Idempotent and quiet: prints nothing when everything is already there.
set -euo pipefail
pkgs=(build-essential cmake pkg-config libwslay-dev libjsmn-dev libssl-dev
      libsqlite3-dev libcmocka-dev libhiredis-dev openssl
      redis-server          # the Redis tests start a real server (tests/support/redis_server.c)
      python3 groff-base)   # the tests: README/docs checks, rendering the man page
# optional extras for `make fuzz`, `make valgrind`, `make bench`
node_pkgs=()   # Node from Debian only when the machine has none (an npm from elsewhere conflicts)
command -v node >/dev/null || node_pkgs+=(nodejs)
command -v npm >/dev/null || node_pkgs+=(npm)
case "${1:-}" in
  --fuzz)     pkgs+=(clang libclang-rt-14-dev) ;;
  --valgrind) pkgs+=(valgrind) ;;
  --bench)    pkgs+=(gnuplot-nox "${node_pkgs[@]}") ;;
  --all)      pkgs+=(clang libclang-rt-14-dev valgrind gnuplot-nox "${node_pkgs[@]}") ;;
esac
missing=()
for p in "${pkgs[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps: missing ${missing[*]}; run as root: apt-get install -y ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq "${missing[@]}" >/dev/null
