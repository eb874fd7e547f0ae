#!/usr/bin/env bash
# Served models: the HTTP path against in-process on the same work, and
# several servers with many requests in flight against one at a time.
#
#   bench/http.sh [LIMIT]     (MMLU questions per subject, default 3)
#
# On a model whose compute looks like a real one's (4 layers, dim 1024,
# ff 2816, Q8_0), with the same attention on both sides (the servers run
# -fa off, as the in-process backend does) and every budget spent
# (--full-outputs: a server generates its whole n_predict anyway), it
# prints for two kinds of work:
#   whole prompts    in process --no-prefix-reuse against one llama-server
#                    with its prompt cache off (--no-prefix-reuse);
#   shared prefixes  the in-process default (prefix reuse) against the
#                    served default (llama-server's cache_prompt);
# each with the HTTP path's overhead over in process, and the client's
# share of it: the served run's wall time over the time the server's own
# log says its requests took (what the client, the transport and waiting
# add). Then --concurrency 8 against two servers over --concurrency 1
# against one, and how many outputs differ from in process.
# The servers run --cache-ram 0 so that one run's prompts are not answered
# from another's saved states; every run uses --no-store, so that our own
# cache does not answer either.
set -euo pipefail

HERE="$(cd "$(dirname "$0")/.." && pwd)"
LIMIT="${1:-3}"
source "$HERE/bench/lib.sh"
THREADS="$(nproc)"
T="$(mktemp -d)"
# serve runs in a subshell: the servers' pids are kept in files.
trap 'for f in "$T"/*.pid; do kill "$(cat "$f")" 2>/dev/null || true; done; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT

bench_model "$T/m.gguf" 4

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
serve() { # serve THREADS SLOTS: starts a server, prints its port
    local p
    p="$(port)"
    "$LLAMA/bin/llama-server" -m "$T/m.gguf" --host 127.0.0.1 --port "$p" -t "$1" \
        -c $((4096 * $2)) -b 512 -ub 512 -np "$2" -fa off --cache-ram 0 \
        >"$T/server-$p.log" 2>&1 &
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
    "$BIN" run --tasks mmlu --data "$DATA" --limit "$LIMIT" --quiet --no-store --full-outputs \
        --out "$T/$1" "${@:2}" >/dev/null
    end="$(date +%s.%N)"
    python3 -c "print(round($end - $start, 2))"
}
served() { # served NAME PORT ARGS...: wall seconds, and the server's own seconds
    local before wall
    before="$(wc -l <"$T/server-$2.log")"
    wall="$(timed "$1" --model "http://127.0.0.1:$2" --concurrency 1 "${@:3}")"
    echo "$wall $(tail -n +$((before + 1)) "$T/server-$2.log" | grep 'total time =' |
        sed 's/.*total time = *//' | awk '{s += $1} END {print s / 1000}')"
}
least() { # least "A B" "C D": the pair with the smaller first number
    python3 -c "import sys; print(min((tuple(map(float, a.split())) for a in sys.argv[1:]))[0:2])" "$@" |
        tr -d '(),'
}

# This machine's speed drifts by several percent from minute to minute, so
# each setting runs REPS times, in turns with the setting it is compared
# with, and the fastest counts.
local_args=(--model "$T/m.gguf" --threads "$THREADS" --ctx 4096 --batch 512 --parallel 1)
one="$(serve "$THREADS" 1)"
wl=() wh=() rl=() rh=()
for _ in $(seq "${REPS:-2}"); do
    wl+=("$(timed local_whole "${local_args[@]}" --no-prefix-reuse) 0")
    wh+=("$(served http_whole "$one" --no-prefix-reuse)")
    rl+=("$(timed local_reuse "${local_args[@]}") 0")
    rh+=("$(served http_reuse "$one")")
done
read -r whole_local _ < <(least "${wl[@]}")
read -r whole_http whole_srv < <(least "${wh[@]}")
read -r reuse_local _ < <(least "${rl[@]}")
read -r reuse_http reuse_srv < <(least "${rh[@]}")
a="$(serve $(((THREADS + 1) / 2)) 4)"
b="$(serve $(((THREADS + 1) / 2)) 4)"
kill "$(cat "$T/$one.pid")"
many_s="$(timed http8 --model "http://127.0.0.1:$a,http://127.0.0.1:$b" --concurrency 8)"

python3 - "$T" "$whole_local" "$whole_http" "$whole_srv" "$reuse_local" "$reuse_http" \
    "$reuse_srv" "$many_s" <<'PY'
import json, os, sys
t = sys.argv[1]
wl, wh, ws, rl, rh, rs, many = map(float, sys.argv[2:])
def outs(name):
    return [json.loads(l)["output"].strip() for l in open(os.path.join(t, name, "samples", "mmlu.jsonl"))]
print("%-16s %10s %10s %9s %10s %8s" % ("work", "in-process", "served", "overhead", "in server", "client"))
for name, l, h, s in (("whole prompts", wl, wh, ws), ("shared prefixes", rl, rh, rs)):
    print("%-16s %9.2fs %9.2fs %+8.1f%% %9.2fs %+7.1f%%" % (name, l, h, 100 * (h / l - 1), s, 100 * (h / s - 1)))
print("two servers, 8 in flight: %.2f s, %.2fx over one server with its prompt cache" % (many, rh / many))
ref = outs("local_whole")
for name in ("local_reuse", "http_whole", "http_reuse", "http8"):
    o = outs(name)
    print("%-11s differing outputs vs in-process whole: %d of %d" % (name, sum(x != y for x, y in zip(ref, o)), len(ref)))
PY
