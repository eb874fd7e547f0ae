#!/usr/bin/env bash
# Served models: the HTTP path against in-process on the same work, and
# several servers with many requests in flight against one at a time.
#
#   bench/http.sh [LIMIT]     (MMLU questions per subject, default 3)
#
# Prints, on a model whose compute looks like a real one's (4 layers, dim
# 1024, ff 2816, Q8_0):
#   - in-process wall time with prompts decoded whole (--no-prefix-reuse
#     --chunking plain: what llama-server does without its prompt cache),
#     the same run through one llama-server, and the HTTP overhead;
#   - --concurrency 1 against one server and --concurrency 8 against two,
#     and their ratio;
#   - how many outputs differ between in-process and served.
# Every run uses --no-store, so that the cache does not answer in its place.
set -euo pipefail

HERE="$(cd "$(dirname "$0")/.." && pwd)"
LIMIT="${1:-3}"
CACHE="${IE_CACHE_DIR:-$HOME/.cache/instructeval}"
LLAMA="$CACHE/llama.cpp-v0.4.0"
DATA="${INSTRUCTEVAL_DATA:-$HERE/../shared/data}"
BIN="$HERE/build/instructeval"
THREADS="$(nproc)"
T="$(mktemp -d)"
# serve runs in a subshell: the servers' pids are kept in files.
trap 'for f in "$T"/*.pid; do kill "$(cat "$f")" 2>/dev/null || true; done; rm -rf "$T"' EXIT

"$BIN" mkmodel --vocab "$LLAMA/models/ggml-vocab-llama-spm.gguf" --out "$T/f16.gguf" \
    --layers 4 --dim 1024 --heads 16 --kv-heads 16 --ff 2816 --f16 >/dev/null
"$LLAMA/bin/llama-quantize" "$T/f16.gguf" "$T/m.gguf" Q8_0 >/dev/null 2>&1

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
serve() { # serve THREADS SLOTS: starts a server, prints its port
    local p
    p="$(port)"
    "$LLAMA/bin/llama-server" -m "$T/m.gguf" --host 127.0.0.1 --port "$p" -t "$1" -c 8192 \
        -b 512 -ub 512 -np "$2" >"$T/server-$p.log" 2>&1 &
    echo $! >"$T/$p.pid"
    for _ in $(seq 600); do
        curl -sf "http://127.0.0.1:$p/health" >/dev/null 2>&1 && break
        sleep 0.1
    done
    echo "$p"
}
timed() { # timed NAME ARGS...: wall seconds of an MMLU run
    local start end
    start="$(date +%s.%N)"
    "$BIN" run --tasks mmlu --data "$DATA" --limit "$LIMIT" --quiet --no-store \
        --out "$T/$1" "${@:2}" >/dev/null
    end="$(date +%s.%N)"
    python3 -c "print(round($end - $start, 2))"
}

local_s="$(timed local --model "$T/m.gguf" --threads "$THREADS" --ctx 4096 --batch 512 \
    --no-prefix-reuse --chunking plain)"
one="$(serve "$THREADS" 1)"
http_s="$(timed http1 --model "http://127.0.0.1:$one" --concurrency 1)"
a="$(serve $(((THREADS + 1) / 2)) 4)"
b="$(serve $(((THREADS + 1) / 2)) 4)"
kill "$(cat "$T/$one.pid")"
many_s="$(timed http8 --model "http://127.0.0.1:$a,http://127.0.0.1:$b" --concurrency 8)"

python3 - "$T" "$local_s" "$http_s" "$many_s" <<'PY'
import json, os, sys
t, local_s, http_s, many_s = sys.argv[1], *map(float, sys.argv[2:])
def outs(name):
    return [json.loads(l)["output"].strip() for l in open(os.path.join(t, name, "samples", "mmlu.jsonl"))]
ref = outs("local")
print("in-process (whole prompts)     %7.2f s" % local_s)
print("one llama-server, 1 in flight  %7.2f s   overhead %+.1f %%" % (http_s, 100 * (http_s / local_s - 1)))
print("two servers, 8 in flight       %7.2f s   speed-up %.2fx over one server" % (many_s, http_s / many_s))
for name in ("http1", "http8"):
    o = outs(name)
    print("%-6s differing outputs vs in-process: %d of %d" % (name, sum(x != y for x, y in zip(ref, o)), len(ref)))
PY
