#!/usr/bin/env bash
# The evaluator's memory beyond the model and the KV cache, and whether it
# grows with the number of samples.
#
# MMLU runs (default settings, greedy) with more and more questions per
# subject, the last the whole test set, each with --no-store and once more
# with a fresh store (records written to SQLite as they complete). Per run:
#   samples     questions answered;
#   peak MiB    the process's peak resident memory (VmHWM);
#   model, KV   the mapped model file and the KV cache, as llama.cpp
#               reports them (--verbose log);
#   beyond      peak minus model and KV: our heap, llama.cpp's compute
#               and scheduler buffers, and the libraries' code;
#   q1..q4      the largest resident size seen in each quarter of the run
#               (sampled every 0.2 s): flat when memory does not grow as
#               the run goes on.
#
# usage: bench/memory.sh [LIMITS] (default "5 25 all")
#        MODEL_ARGS="--layers 2 --dim 64" by default: the test models'
#        shape, where the evaluator's own memory is most of the process.
# Needs ./setup.sh done and the data ($INSTRUCTEVAL_DATA or ../shared/data).
set -euo pipefail

HERE="$(cd "$(dirname "$0")/.." && pwd)"
LLAMA="${IE_CACHE_DIR:-$HOME/.cache/instructeval}/llama.cpp-v0.4.0"
DATA="${INSTRUCTEVAL_DATA:-$HERE/../shared/data}"
BIN="$HERE/build/instructeval"
THREADS="${THREADS:-$(nproc)}"
LIMITS="${1:-5 25 all}"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT

# shellcheck disable=SC2086 # MODEL_ARGS is a list of options
"$BIN" mkmodel --vocab "$LLAMA/models/ggml-vocab-llama-spm.gguf" --out "$T/m.gguf" \
    ${MODEL_ARGS:---layers 2 --dim 64} >/dev/null

run() { # run NAME LIMIT [options]: an MMLU run, its memory sampled
    local name="$1" limit="$2"
    shift 2
    if [ "$limit" != all ]; then set -- --limit "$limit" "$@"; fi
    "$BIN" run --model "$T/m.gguf" --tasks mmlu --data "$DATA" \
        --threads "$THREADS" --greedy --quiet --verbose --out "$T/$name" "$@" \
        >/dev/null 2>"$T/$name.log" &
    python3 - "$!" "$T/$name.rss" <<'EOF'
import os, sys, time
pid, out = sys.argv[1], sys.argv[2]
start = time.monotonic()
with open(out, "w") as f:
    while True:
        try:
            st = open("/proc/%s/status" % pid).read()
        except OSError:
            break
        v = dict(l.split(":", 1) for l in st.splitlines() if ":" in l)
        if "VmRSS" not in v:  # a zombie: exited, not yet reaped
            break
        f.write("%.2f %s %s\n" % (time.monotonic() - start, v["VmRSS"].split()[0],
                                  v["VmHWM"].split()[0]))
        f.flush()
        time.sleep(0.2)
EOF
    wait "$!"
}

report() { # report NAME LABEL
    python3 - "$T/$1" "$2" <<'EOF'
import json, re, sys
base, label = sys.argv[1], sys.argv[2]
rows = [l.split() for l in open(base + ".rss")]
t = [float(r[0]) for r in rows]
rss = [int(r[1]) / 1024 for r in rows]
peak = max(int(r[2]) for r in rows) / 1024
log = open(base + ".log").read()
model = float(re.search(r"model buffer size = +([\d.]+) MiB", log).group(1))
kv = float(re.search(r"llama_kv_cache: size = +([\d.]+) MiB", log).group(1))
n = json.load(open(base + "/results.json"))["counts"]["mmlu"]["samples"]
q = [max((m for s, m in zip(t, rss) if k * t[-1] / 4 <= s <= (k + 1) * t[-1] / 4),
         default=0) for k in range(4)]
print("%-10s %7d %8.1f %6.1f %5.1f %7.1f  %s" % (label, n, peak, model, kv,
      peak - model - kv, " ".join("%5.1f" % x for x in q)))
EOF
}

printf '%-10s %7s %8s %6s %5s %7s  %s\n' run samples "peak MiB" model KV beyond \
    "q1..q4 resident MiB"
for limit in $LIMITS; do
    run "l$limit" "$limit" --no-store
    report "l$limit" "limit $limit"
done
last="${LIMITS##* }"
run store "$last" --store "$T/store.db"
report store "store $last"
