#!/usr/bin/env bash
# Runs the whole test suite twice: a -Werror build, then a build with
# AddressSanitizer and UndefinedBehaviorSanitizer; then the libFuzzer
# targets of tests/fuzz, a clang build of their own, each for a short
# budget. Ends with one line "N passed, N failed" over all three. Run
# ./setup.sh once before.
set -uo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
CACHE="${IE_CACHE_DIR:-$HOME/.cache/instructeval}"
export PKG_CONFIG_PATH="$CACHE/llama.cpp-v0.4.0/lib/pkgconfig:${PKG_CONFIG_PATH:-}"
JOBS="$(nproc 2>/dev/null || echo 2)"
passed=0
failed=0

# run_suite DIR CMAKE-FLAGS...: configure, build and ctest one build;
# SUITE_TARGET builds one target instead of all, SUITE_CTEST adds ctest
# options (which tests, how many at once).
run_suite() {
    local dir="$1" log
    shift
    echo "== $dir: configure and build"
    if ! cmake -S "$HERE" -B "$HERE/$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIE_WERROR=ON \
        "$@" >/dev/null ||
        ! cmake --build "$HERE/$dir" -j "$JOBS" ${SUITE_TARGET:+--target "$SUITE_TARGET"}; then
        echo "$dir: build failed"
        failed=$((failed + 1))
        return
    fi
    echo "== $dir: tests"
    log="$(mktemp)"
    # One test at a time: the end-to-end tests use every core themselves
    # (llama.cpp's threads, parallel sandboxed programs), and running them
    # side by side only makes them contend.
    (cd "$HERE/$dir" && ctest --output-on-failure --timeout 1200 ${SUITE_CTEST:-}) | tee "$log"
    local total fails
    total="$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2/p' "$log")"
    fails="$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\1/p' "$log")"
    rm -f "$log"
    if [ -z "$total" ]; then
        failed=$((failed + 1))
        return
    fi
    passed=$((passed + total - fails))
    failed=$((failed + fails))
}

run_suite build
# LeakSanitizer stays on; llama.cpp's own process-lifetime allocations are
# suppressed by name in tests/lsan.supp.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:strict_string_checks=1"
export LSAN_OPTIONS="suppressions=$HERE/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
run_suite build-asan -DIE_SANITIZE=ON
# The fuzz targets (label "fuzz"): single processes, so side by side, one
# a core. Each one's runs and executions per second are in
# build-fuzz/Testing/Temporary/LastTest.log.
if command -v clang >/dev/null; then
    SUITE_TARGET=fuzz SUITE_CTEST="-L fuzz -j $JOBS" run_suite build-fuzz \
        -DCMAKE_C_COMPILER=clang -DIE_FUZZ=ON -DIE_SANITIZE=ON
else
    echo "build-fuzz: no clang (./setup.sh installs it)"
    failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
