#!/usr/bin/env bash
# Decoding several requests together (--parallel N) against one at a time,
# on HumanEval (greedy, up to 512 new tokens a problem, so generation
# steps dominate), same model, same minute, against the speed-up that
# llama-batched-bench shows for N sequences over one on the same model,
# threads and attention (-fa off, a KV stream per sequence). Prints both
# wall times, both speed-ups, their ratio, and how many outputs agree
# (they must all).
#
# usage: bench/parallel.sh [N] [PROBLEMS]   (default N=4, PROBLEMS=16)
set -euo pipefail

HERE="$(cd "$(dirname "$0")/.." && pwd)"
N="${1:-4}"
LIMIT="${2:-16}"
LLAMA="${IE_CACHE_DIR:-$HOME/.cache/instructeval}/llama.cpp-v0.4.0"
DATA="${INSTRUCTEVAL_DATA:-$HERE/../shared/data}"
BIN="$HERE/build/instructeval"
THREADS="$(nproc)"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT

"$BIN" mkmodel --vocab "$LLAMA/models/ggml-vocab-llama-spm.gguf" --out "$T/m.gguf" \
    --layers 4 --dim 512 --heads 8 --kv-heads 8 --ff 1376 --f16 >/dev/null

run() { # run NAME PARALLEL: wall seconds
    local start end
    start="$(date +%s.%N)"
    "$BIN" run --model "$T/m.gguf" --tasks humaneval --data "$DATA" --limit "$LIMIT" --greedy \
        --quiet --no-store --threads "$THREADS" --parallel "$2" --out "$T/$1" >/dev/null
    end="$(date +%s.%N)"
    python3 -c "print($end - $start)"
}

tg() { # tg NPL: llama-batched-bench's generation rate with NPL sequences
    "$LLAMA/bin/llama-batched-bench" -m "$T/m.gguf" -c 8192 -b 512 -ub 512 -npp 256 -ntg 128 \
        -npl "$1" -t "$THREADS" -fa off -no-kvu --output-format jsonl 2>/dev/null |
        python3 -c 'import json,sys; print([json.loads(l) for l in sys.stdin if l.startswith("{")][-1]["speed_tg"])'
}

tg1="$(tg 1)"
tgn="$(tg "$N")"
one="$(run one 1)"
many="$(run many "$N")"
python3 - "$one" "$many" "$N" "$T" "$tg1" "$tgn" <<'PY'
import json, sys
one, many, n, t, tg1, tgn = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5]), float(sys.argv[6])
def outs(name):
    return [json.loads(l)["output"] for l in open(f"{t}/{name}/samples/humaneval.jsonl")]
a, b = outs("one"), outs("many")
ours, theirs = one / many, tgn / tg1
print(f"llama-batched-bench tg:  {tg1:8.1f} tokens/s with 1 sequence, {tgn:.1f} with {n}: {theirs:.2f}x")
print(f"one request at a time:   {one:8.1f} s")
print(f"--parallel {n}:            {many:8.1f} s   speed-up {ours:.2f}x, "
      f"{100 * ours / theirs:.0f} % of batched-bench's")
print(f"outputs identical:       {sum(x == y for x, y in zip(a, b))}/{len(a)}")
PY
