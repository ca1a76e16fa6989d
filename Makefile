# Thin wrapper over CMake; the README's commands.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
MAKEFLAGS  += --no-print-directory
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
PREFIX     ?= /usr/local
FUZZ_SECONDS ?= 20

.PHONY: all deps configure build test test-asan valgrind fuzz demo console-screenshots bench install uninstall clean format format-check

all: build

deps:
	@scripts/deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null

# Everything: the library, the programs, the examples and the test suite.
build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# Installs deps, builds, runs every test.
test: build
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# The whole suite built with AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DOB_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

# Integration tests under valgrind --leak-check=full.
valgrind: build
	@scripts/deps.sh --valgrind
	@scripts/valgrind.sh $(BUILD)

# Builds the libFuzzer targets with clang and runs each for FUZZ_SECONDS.
fuzz: deps
	@scripts/deps.sh --fuzz
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DOB_FUZZ=ON -DOB_SANITIZE=ON \
	  -DOB_BUILD_TESTS=OFF -DOB_BUILD_SIM=ON -DOB_BUILD_TOOLS=OFF -DOB_BUILD_EXAMPLES=OFF >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS)
	@scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# Installs deps, builds only what the demo runs (the onebot command with its
# embedded simulator, onebot-sim, the group_guard example: not the tests),
# runs the moderation bot on the simulator. KEEP=1 keeps the simulator
# running afterwards for its browser console (docs/console.md) until Ctrl-C.
DEMO_TARGETS = onebot_cli onebot-sim group_guard
demo: configure
	@cmake --build $(BUILD) -j $(JOBS) --target $(DEMO_TARGETS)
	@KEEP=$(KEEP) scripts/demo.sh $(BUILD)

# The browser console's test, also copying its screenshots into docs/console/
# (docs/console.md shows them).
console-screenshots: build
	@tests/console/run.sh $(BUILD) --update-docs

bench: deps
	@scripts/deps.sh --bench
	@cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DOB_BUILD_BENCH=ON >/dev/null
	@cmake --build build-bench -j $(JOBS)
	@bench/run.sh build-bench

install: build
	@cmake --install $(BUILD)

# Removes exactly the files the last install from $(BUILD) wrote (CMake lists
# them in install_manifest.txt), then the directories of ours it leaves empty
# (include/onebot); shared ones (bin, lib, share/man/man1...) stay.
uninstall:
	@test -f $(BUILD)/install_manifest.txt || { echo "uninstall: no $(BUILD)/install_manifest.txt: nothing was installed from $(BUILD)" >&2; exit 1; }
	@n=0; while IFS= read -r f || [ -n "$$f" ]; do \
	  if [ -e "$$f" ] || [ -L "$$f" ]; then rm -f -- "$$f" && echo "removed $$f" && n=$$((n + 1)); fi; \
	  d=$$(dirname -- "$$f"); case "$$d" in */onebot) rmdir -- "$$d" 2>/dev/null && echo "removed $$d/" ;; esac; \
	done <$(BUILD)/install_manifest.txt; echo "uninstall: $$n file(s) removed"

# Every C source and header git tracks, formatted by .clang-format (clang-format 14, Debian 12's).
FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	@clang-format -i $(FORMAT_FILES)

format-check:
	@clang-format --dry-run -Werror $(FORMAT_FILES)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) build-bench
