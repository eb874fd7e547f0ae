#!/usr/bin/env bash
# Speed of the evaluator against llama.cpp's own throughput, on the same
# model and machine, in the same minute.
#
#   1. llama-bench's prompt-processing rate (tokens/s) is the anchor.
#   2. MMLU with --no-prefix-reuse decodes every prompt token, as a naive
#      prompt-by-prompt loop would: its rate over the anchor shows how much
#      of llama.cpp's throughput the evaluator itself wastes.
#   3. MMLU with prefix reuse (the default): the speed-up over (2) in wall
#      time for the same questions, and identical samples.
#
# usage: bench/prefix_reuse.sh [LIMIT] (questions per subject, default 4)
# Needs ./setup.sh done and a data folder ($INSTRUCTEVAL_DATA or ../shared/data).
set -euo pipefail

HERE="$(cd "$(dirname "$0")/.." && pwd)"
LIMIT="${1:-4}"
source "$HERE/bench/lib.sh"
THREADS="$(nproc)"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT

# A model big enough for compute to dominate: 8 layers, dim 512.
"$BIN" mkmodel --vocab "$LLAMA/models/ggml-vocab-llama-spm.gguf" --out "$T/m.gguf" \
    --layers 8 --dim 512 --heads 8 --kv-heads 8 --ff 1376 --f16

anchor="$(pp_rate "$T/m.gguf" -p 512 -t "$THREADS" -r 2)"

run() { # run NAME [options]: wall seconds and prompt tokens of an MMLU run
    local start end
    start="$(date +%s.%N)"
    "$BIN" run --model "$T/m.gguf" --tasks mmlu --data "$DATA" --limit "$LIMIT" \
        --threads "$THREADS" --quiet --no-store --out "$T/$1" "${@:2}" >/dev/null
    end="$(date +%s.%N)"
    python3 -c "import json; r=json.load(open('$T/$1/results.json')); \
print($end - $start, r['counts']['mmlu']['prompt_tokens'])"
}

read -r naive_s tokens <<<"$(run naive --no-prefix-reuse)"
read -r reuse_s _ <<<"$(run reuse)"
# Reuse changes how tokens are batched, so logits can differ in the last
# bits; count how many outputs agree.
same="$(python3 -c "
import json
a = [json.loads(l)['output'] for l in open('$T/naive/samples/mmlu.jsonl')]
b = [json.loads(l)['output'] for l in open('$T/reuse/samples/mmlu.jsonl')]
print(f'{sum(x == y for x, y in zip(a, b))}/{len(a)}')")"

python3 - "$anchor" "$naive_s" "$reuse_s" "$tokens" "$same" <<'PY'
import sys
anchor, naive, reuse, tokens, same = float(sys.argv[1]), float(sys.argv[2]), \
    float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
naive_rate = tokens / naive
print(f"prompt tokens evaluated:             {tokens}")
print(f"llama-bench pp512 (anchor):          {anchor:10.1f} tok/s")
print(f"evaluator, no prefix reuse:          {naive_rate:10.1f} tok/s  "
      f"ratio to anchor {naive_rate / anchor:.2f}")
print(f"evaluator, prefix reuse:             {tokens / reuse:10.1f} tok/s effective  "
      f"ratio to anchor {tokens / reuse / anchor:.2f}")
print(f"speed-up of prefix reuse:            {naive / reuse:10.2f}x  ({naive:.1f}s -> {reuse:.1f}s)")
print(f"outputs identical with and without: {same}")
PY
