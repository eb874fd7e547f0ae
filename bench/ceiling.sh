#!/usr/bin/env bash
# What llama.cpp's own kernels let prefix reuse gain, against what token
# arithmetic says. A prompt of P tokens whose first P-N sit in the cache
# costs N tokens by token arithmetic (ideal P/N). But each of those N
# tokens attends over the P-N cached ones, which reuse does not shrink.
# llama-bench measures both sides on the model bench/suite.sh uses, with
# exact attention (no flash attention) and batch 128, as the evaluator
# runs: pp P at depth 0 (the plain run's prompt) and pp N at depth P-N
# (the default run's suffix). The ceiling is the ratio of their times; no
# evaluator is involved. For a task's mean question it estimates what an
# evaluator on these kernels can reach; real prompts vary about the mean,
# so it is an estimate, not a bound. This machine's rates wander by 10 %
# from one minute to the next, so the two sides alternate ROUNDS times and
# each keeps its best.
#
# usage: bench/ceiling.sh [P N]...   pairs of prompt and decoded tokens;
#        default: full MMLU's means (775 and 112: 10,882,111 prompt tokens,
#        1,573,261 decoded, 14,042 questions) and MMLU at 30 a subject's
#        (661 and 118). LAYERS (default 4), THREADS, REPS (default 3),
#        ROUNDS (default 5).
set -euo pipefail

HERE="$(cd "$(dirname "$0")/.." && pwd)"
source "$HERE/bench/lib.sh"
THREADS="${THREADS:-$(nproc)}"
LAYERS="${LAYERS:-4}"
REPS="${REPS:-3}"
ROUNDS="${ROUNDS:-5}"
[ $# -gt 0 ] || set -- 775 112 661 118
[ $(($# % 2)) -eq 0 ] || { echo "usage: bench/ceiling.sh [P N]..." >&2; exit 2; }
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT

bench_model "$T/m.gguf" "$LAYERS"

rate() { # rate TOKENS DEPTH: llama-bench's prompt tokens per second
    pp_rate "$T/m.gguf" -p "$1" -d "$2" -t "$THREADS" -fa 0 -b 128 -ub 128 -r "$REPS"
}

best() { python3 -c 'import sys; print(max(map(float, sys.argv[1:])))' "$@"; }

printf '%s layers, %s threads, llama-bench -fa 0 -b 128, best of %s rounds of %s\n\n' \
    "$LAYERS" "$THREADS" "$ROUNDS" "$REPS"
printf '%6s %6s %12s %14s %8s %9s %9s\n' P N "pp P @ 0" "pp N @ P-N" ideal ceiling "of ideal"
while [ $# -gt 0 ]; do
    p="$1" n="$2"
    shift 2
    [ "$n" -ge 1 ] && [ "$n" -le "$p" ] || { echo "N must be 1..P, not $n" >&2; exit 2; }
    whole=0 suffix=0
    for _ in $(seq "$ROUNDS"); do
        whole="$(best "$whole" "$(rate "$p" 0)")"
        suffix="$(best "$suffix" "$(rate "$n" $((p - n)))")"
    done
    python3 - "$p" "$n" "$whole" "$suffix" <<'EOF'
import sys
p, n, whole, suffix = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
ideal, ceiling = p / n, (p / whole) / (n / suffix)
print("%6d %6d %10.0f/s %12.0f/s %7.2fx %8.2fx %8.0f%%" % (p, n, whole, suffix, ideal, ceiling,
                                                          100 * ceiling / ideal))
EOF
done
