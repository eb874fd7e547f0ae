#!/usr/bin/env bash
# One fuzz target's CTest test: replays the inputs of
# tests/fuzz/regressions/<name>/ (crashes found before), then fuzzes from
# the seed corpus for a fixed budget. Fails on any crash, leak, timeout or
# out-of-memory; the input that did it is left in WORK-DIR as crash-*,
# leak-*, timeout-* or oom-* (copy it to regressions/<name>/ once fixed).
# Ends with one line: "<name>: N runs in S s, E exec/s".
#
# usage: run.sh FUZZER NAME SEED-DIR REGRESSION-DIR WORK-DIR SECONDS RUNS MAX-LEN [DICT]
set -uo pipefail

fuzzer="$1" name="$2" seeds="$3" regressions="$4" work="$5"
seconds="$6" runs="$7" max_len="$8" dict="${9:-}"
HERE="$(cd "$(dirname "$0")" && pwd)"

# Leaks are bugs here too; llama.cpp's process-lifetime allocations are not.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$HERE/../lsan.supp:print_suppressions=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

rm -rf "$work"
mkdir -p "$work/corpus"
# The loaders' data folders: in memory where there is /dev/shm (the targets
# write a file or more per input), removed at the end even after a crash.
tmp="$(mktemp -d /dev/shm/ie-fuzz-XXXXXX 2>/dev/null || mktemp -d "$work/tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
export TMPDIR="$tmp"

if [ -d "$regressions" ]; then
    mapfile -t replay < <(find "$regressions" -type f | sort)
    if [ "${#replay[@]}" -gt 0 ]; then
        echo "== $name: replaying ${#replay[@]} regression inputs"
        if ! "$fuzzer" -rss_limit_mb=2048 -timeout=60 "${replay[@]}" >"$work/replay.log" 2>&1
        then
            cat "$work/replay.log"
            echo "$name: a regression input fails again"
            exit 1
        fi
    fi
fi

[ -d "$seeds" ] || { echo "$name: no seed corpus '$seeds' (the fuzz_seeds test makes it)"; exit 1; }
echo "== $name: fuzzing for ${seconds}s (at most $runs runs) from $(ls "$seeds" | wc -l) seeds"
"$fuzzer" "$work/corpus" "$seeds" -max_total_time="$seconds" -runs="$runs" \
    -rss_limit_mb=2048 -timeout=30 -max_len="$max_len" -print_final_stats=1 \
    -artifact_prefix="$work/" ${dict:+-dict="$dict"} >"$work/fuzz.log" 2>&1
rc=$?
if [ "$rc" -ne 0 ]; then
    # The report: the sanitizer's stack or libFuzzer's reason, and the input.
    grep -v '^#[0-9]' "$work/fuzz.log" | tail -n 80
    echo "$name: failed (exit $rc); input: $(ls "$work"/crash-* "$work"/leak-* \
        "$work"/timeout-* "$work"/oom-* 2>/dev/null | head -n 1)"
    exit 1
fi
units="$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log")"
speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/fuzz.log")"
time="$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$work/fuzz.log")"
echo "$name: ${units:-?} runs in ${time:-?} s, ${speed:-?} exec/s," \
    "corpus $(ls "$work/corpus" | wc -l) new inputs"
