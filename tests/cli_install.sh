#!/usr/bin/env bash
# The install as a user meets it: `cmake --install` into a temporary prefix,
# then the README's example program (taken from README.md between the
# readme-example markers) compiled with `cc $(pkg-config --cflags --libs
# onebot)` against that prefix only, and run against a fresh simulator: it
# must print the login info and one event and exit 0. The README's program
# is examples/hello.c byte for byte; the README's first commands are still
# `make demo` and `make test`, after what a minimal image lacks. Then `make
# uninstall` removes every installed file again.
set -uo pipefail
build=${1:?usage: cli_install.sh BUILD_DIR}
build=$(cd "$build" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
sim_pid=""
# `cmake --install` rewrites BUILD/install_manifest.txt, which `make uninstall`
# reads: the user's own install record is put back when the test ends.
manifest="$build/install_manifest.txt"
[ -f "$manifest" ] && cp -p "$manifest" "$tmp/manifest.saved"
restore() { if [ -f "$tmp/manifest.saved" ]; then cp -p "$tmp/manifest.saved" "$manifest"; else rm -f "$manifest"; fi; }
trap '[ -n "$sim_pid" ] && { kill $sim_pid 2>/dev/null; wait $sim_pid 2>/dev/null; }; restore; rm -rf "$tmp"' EXIT
fails=0 count=0
pass() { count=$((count + 1)); printf 'ok    %s\n' "$1"; }
fail() { count=$((count + 1)); printf 'FAIL  %s\n' "$1"; fails=$((fails + 1)); }
finish() { echo "$((count - fails))/$count passed"; [ "$fails" -eq 0 ]; exit $?; }

prefix="$tmp/prefix"
if cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1; then
  pass "cmake --install into a temporary prefix"
else
  fail "cmake --install: $(tail -n 5 "$tmp/install.log")"
  finish
fi

# What a user links against must be there.
for f in include/onebot/onebot.h include/onebot/group.h include/onebot/client.h include/onebot/event.h \
         include/onebot/types.h bin/onebot-sim bin/onebot share/man/man1/onebot.1 \
         share/bash-completion/completions/onebot; do
  [ -e "$prefix/$f" ] && pass "installed $f" || fail "not installed: $f"
done
pc=$(find "$prefix" -name onebot.pc -path '*/pkgconfig/*' | head -n 1)
[ -n "$pc" ] && pass "installed onebot.pc" || { fail "no onebot.pc under the prefix"; finish; }
libdir=$(dirname "$(dirname "$pc")")
ls "$libdir"/libonebot.so* >/dev/null 2>&1 && pass "installed libonebot.so" || fail "no libonebot.so in $libdir"

# The program, exactly as the README shows it.
sed -n '/<!-- readme-example:start -->/,/<!-- readme-example:end -->/p' "$src/README.md" |
  sed -e '1,/^```c$/d' -e '/^```$/,$d' >"$tmp/example.c"
lines=$(wc -l <"$tmp/example.c")
if [ "$lines" -ge 10 ] && grep -q 'ob_connect' "$tmp/example.c" && grep -q 'get_login_info' "$tmp/example.c" &&
   grep -q 'ob_on_event' "$tmp/example.c"; then
  pass "README example extracted ($lines lines)"
else
  fail "README example not found between the readme-example markers ($lines lines)"
  finish
fi
# ...and it is examples/hello.c, the same bytes.
if cmp -s "$tmp/example.c" "$src/examples/hello.c"; then
  pass "README's program is examples/hello.c byte for byte"
else
  fail "README's program and examples/hello.c differ: $(diff "$tmp/example.c" "$src/examples/hello.c" | head -n 6)"
fi
grep -q 'examples/hello.c' "$src/README.md" && pass "README says where the program is" || fail "README does not name examples/hello.c"
# The README's first commands: make demo and make test, after make and git on a minimal image.
first=$(sed -n '/^```sh$/,/^```$/p' "$src/README.md" | sed -e '/^```/d' -e 's/ *#.*//' | head -n 2 | tr '\n' ';')
[ "$first" = "make demo;make test;" ] && pass "README starts with make demo, make test" || fail "README's first commands: $first"
sed -n '1,/^```sh$/p' "$src/README.md" | grep -q 'apt-get install -y make git' \
  && pass "README says to install make and git first" || fail "README's top does not say apt-get install -y make git"
# The install says what loads the completion.
grep -q "bash-completion package" "$tmp/install.log" && pass "the install says the completion needs bash-completion" \
  || fail "no word on bash-completion in the install output"
# docs/getting-started.md shows the same program.
if python3 - "$tmp/example.c" "$src/docs/getting-started.md" <<'EOF'
import sys
prog = open(sys.argv[1], encoding="utf-8").read()
sys.exit(0 if prog.strip() in open(sys.argv[2], encoding="utf-8").read() else 1)
EOF
then
  pass "docs/getting-started.md has the same program"
else
  fail "docs/getting-started.md does not contain the README program verbatim"
fi

# Only the installed prefix: no -I into the source tree, no build dir.
export PKG_CONFIG_PATH="$(dirname "$pc")"
flags=$(pkg-config --cflags --libs onebot 2>"$tmp/pkg.err")
if [ $? -eq 0 ] && [[ "$flags" == *-lonebot* ]]; then
  pass "pkg-config --cflags --libs onebot: $flags"
else
  fail "pkg-config onebot: $(cat "$tmp/pkg.err")"
fi
[ "$(pkg-config --modversion onebot 2>/dev/null)" = "$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")" ] &&
  pass "pkg-config version matches the project" || fail "pkg-config --modversion: $(pkg-config --modversion onebot 2>&1)"
incdir=$(pkg-config --variable=includedir onebot 2>/dev/null)
[ -n "$incdir" ] && [ "$(realpath -m "$incdir")" = "$(realpath "$prefix/include")" ] && pass "onebot.pc points into the install prefix" ||
  fail "onebot.pc includedir is \"$incdir\", not $prefix/include (prefix fixed at configure time?)"

# A sanitizer build's library needs the sanitizer runtime in the program too.
san=""
grep -q '^OB_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" && san="-fsanitize=address,undefined"
# shellcheck disable=SC2086
if cc -std=c11 -Wall -Wextra -Werror $san "$tmp/example.c" -o "$tmp/example" $flags 2>"$tmp/cc.err"; then
  pass "the README program compiles against the installed library"
else
  fail "cc: $(head -c 600 "$tmp/cc.err")"
  finish
fi

"$prefix/bin/onebot-sim" --listen 127.0.0.1:0 --db "$tmp/world.db" --demo --heartbeat 0 >"$tmp/sim.out" 2>"$tmp/sim.log" &
sim_pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/sim.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^onebot-sim listening on \(ws:[^ ]*\).*/\1/p' "$tmp/sim.out")
[ -n "$url" ] && pass "installed onebot-sim listens on $url" || { fail "the simulator did not start: $(cat "$tmp/sim.log")"; finish; }

LD_LIBRARY_PATH="$libdir" timeout 20 "$tmp/example" "$url" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && pass "the program exits 0" || fail "the program exited $rc: $(head -c 400 "$tmp/err")"
grep -qE '^login: \{.*"user_id":10001.*"nickname":"GuardBot"' "$tmp/out" && pass "it prints the login info" ||
  fail "no login line: $(head -c 400 "$tmp/out")"
grep -qE '^event: lifecycle \{.*"meta_event_type":"lifecycle".*"sub_type":"connect"' "$tmp/out" &&
  pass "it prints one event (lifecycle connect)" || fail "no event line: $(head -c 400 "$tmp/out")"
[ "$(grep -c '^event: ' "$tmp/out")" -eq 1 ] && pass "exactly one event" || fail "$(grep -c '^event: ' "$tmp/out") event lines"
# It resolved libonebot from the prefix, not from anywhere else.
# The loader itself lists what it maps (what ldd does, without needing ldd).
# Captured to a file first: `ldd | grep -q` under pipefail raced with SIGPIPE
# (grep -q exits at the first match while the loader still writes), a flake
# seen in CI under load.
LD_LIBRARY_PATH="$libdir" LD_TRACE_LOADED_OBJECTS=1 "$tmp/example" >"$tmp/ldd" 2>&1
grep -q "$libdir/libonebot.so" "$tmp/ldd" &&
  pass "linked with the installed libonebot.so" || fail "libonebot.so not taken from $libdir: $(grep onebot "$tmp/ldd")"

# Errors come out as the program prints them: nobody listens on port 1 (the
# simulator's own port could be taken by a parallel test once it is free).
kill $sim_pid 2>/dev/null; wait $sim_pid 2>/dev/null; sim_pid=""
LD_LIBRARY_PATH="$libdir" timeout 20 "$tmp/example" "ws://127.0.0.1:1/" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && grep -qE '^OB_E[A-Z]+: ' "$tmp/err" && pass "without a server: exit 1 and \"$(head -n 1 "$tmp/err")\"" ||
  fail "without a server: exit $rc, err: $(head -c 300 "$tmp/err")"

# make uninstall: every file the install wrote is gone, and our own directory.
n_installed=$(wc -l <"$manifest")
if make -s -C "$src" uninstall BUILD="$build" >"$tmp/uninstall.log" 2>&1; then
  pass "make uninstall ($(tail -n 1 "$tmp/uninstall.log"))"
else
  fail "make uninstall: $(tail -n 5 "$tmp/uninstall.log")"
fi
left=$(find "$prefix" ! -type d | head -n 5)
[ -z "$left" ] && [ "$n_installed" -gt 10 ] && pass "no installed file is left ($n_installed removed)" || fail "left after uninstall: $left"
[ ! -e "$prefix/include/onebot" ] && pass "include/onebot is gone" || fail "include/onebot is still there"
finish
