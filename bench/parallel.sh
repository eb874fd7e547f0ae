#!/usr/bin/env bash
# Decoding several requests together (--parallel N) against one at a time,
# on BBH (32 new tokens per question, so generation steps matter), same
# model, same minute. Prints wall times, the ratio, and how many greedy
# outputs agree (batching changes the last bits of the logits).
#
# usage: bench/parallel.sh [N] [LIMIT]   (default N=4, LIMIT=2 questions per task)
set -euo pipefail

HERE="$(cd "$(dirname "$0")/.." && pwd)"
N="${1:-4}"
LIMIT="${2:-2}"
LLAMA="${IE_CACHE_DIR:-$HOME/.cache/instructeval}/llama.cpp-v0.4.0"
DATA="${INSTRUCTEVAL_DATA:-$HERE/../shared/data}"
BIN="$HERE/build/instructeval"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT

"$BIN" mkmodel --vocab "$LLAMA/models/ggml-vocab-llama-spm.gguf" --out "$T/m.gguf" \
    --layers 8 --dim 512 --heads 8 --kv-heads 8 --ff 1376 --f16

run() { # run NAME PARALLEL: wall seconds
    local start end
    start="$(date +%s.%N)"
    "$BIN" run --model "$T/m.gguf" --tasks bbh --data "$DATA" --limit "$LIMIT" --quiet \
        --no-store --parallel "$2" --out "$T/$1" >/dev/null
    end="$(date +%s.%N)"
    python3 -c "print($end - $start)"
}

one="$(run one 1)"
many="$(run many "$N")"
python3 - "$one" "$many" "$N" "$T" <<'PY'
import json, sys
one, many, n, t = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4]
a = [json.loads(l)["output"] for l in open(t + "/one/samples/bbh.jsonl")]
b = [json.loads(l)["output"] for l in open(t + "/many/samples/bbh.jsonl")]
print(f"one request at a time:   {one:8.1f} s")
print(f"--parallel {n}:            {many:8.1f} s   speed-up {one / many:.2f}x")
print(f"outputs identical:       {sum(x == y for x, y in zip(a, b))}/{len(a)}")
PY
