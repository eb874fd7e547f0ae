#!/usr/bin/env bash
# Every task, default against plain, on a model whose compute looks like a
# real one (weights, not attention, dominate: 4 layers, dim 1024, ff 2816,
# Q8_0 by llama-quantize), in the same minutes, against llama.cpp's own
# tools on the same model and thread count.
#
# Per task it prints:
#   default, plain  wall seconds of the default run and of a plain one
#                   (--no-prefix-reuse --full-outputs --parallel 1: every
#                   prompt token decoded, every budget spent, one request at
#                   a time, as a naive loop would);
#   speed-up        plain over default;
#   ideal           the token-arithmetic ideal of prefix reuse: the task's
#                   prompt tokens over those not shared with the previous
#                   prompt in the order run (the ones the default decodes);
#   of ideal        speed-up over ideal;
#   pp/bench        prompt tokens per second of the plain run over
#                   llama-bench's pp512 rate;
#   tg/bench        generated tokens per second of the default run over
#                   llama-batched-bench's rate with as many sequences;
#   differ          outputs (greedy, after strip) that differ between the
#                   two runs' common part (a stopped output is compared with
#                   the start of the full one) and decisions (HHH) that do;
#   extra MB        the default run's peak resident memory beyond the model
#                   file and the KV cache.
#
# usage: bench/suite.sh   (TASKS="mmlu bbh ..." to choose; limits: MMLU_LIMIT,
#                          BBH_LIMIT, CRASS_LIMIT, HE_LIMIT, HHH_LIMIT,
#                          DROP_LIMIT, a number over the largest subtask's
#                          size for all of it; THREADS; LAYERS, default 4,
#                          fewer to make a long run shorter)
# Wall times include loading the model (about a second here), which
# weighs on the small tasks' ratios.
# Needs ./setup.sh done and the data ($INSTRUCTEVAL_DATA or ../shared/data);
# DROP and HHH come from tests/data when the data folder has none.
set -euo pipefail

HERE="$(cd "$(dirname "$0")/.." && pwd)"
source "$HERE/bench/lib.sh"
THREADS="${THREADS:-$(nproc)}"
LAYERS="${LAYERS:-4}"
CTX=4096
PAR="${PARALLEL:-8}" # the default runs' --parallel (auto is 8 here)
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT

mkdir -p "$T/data"
for d in mmlu bbh crass humaneval drop hhh; do
    if [ -e "$DATA/$d" ]; then ln -s "$(cd "$DATA/$d" && pwd)" "$T/data/$d"
    elif [ -e "$HERE/tests/data/$d" ]; then ln -s "$HERE/tests/data/$d" "$T/data/$d"; fi
done

bench_model "$T/m.gguf" "$LAYERS"

pp="$(pp_rate "$T/m.gguf" -p 512 -t "$THREADS" -fa 0 -r 2)"
tg="$("$LLAMA/bin/llama-batched-bench" -m "$T/m.gguf" -c "$CTX" -b 512 -ub 512 -npp 256 \
    -ntg 128 -npl "$PAR" -t "$THREADS" -fa off -no-kvu --output-format jsonl 2>/dev/null |
    python3 -c 'import json,sys; print([json.loads(l) for l in sys.stdin if l.startswith("{")][-1]["speed_tg"])')"
printf 'anchors: llama-bench pp512 %.0f tokens/s, llama-batched-bench tg %.1f tokens/s (%s sequences), %s threads\n\n' \
    "$pp" "$tg" "$PAR" "$THREADS"

run() { # run NAME TASK LIMIT [options]: one run, its wall time and peak memory kept
    local name="$1" task="$2" limit="$3"
    shift 3
    /usr/bin/time -f '%e %M' -o "$T/$name.time" "$BIN" run --model "$T/m.gguf" --tasks "$task" \
        --data "$T/data" --limit "$limit" --threads "$THREADS" --ctx "$CTX" --greedy --quiet \
        --no-store --parallel "$PAR" --out "$T/$name" "$@" >/dev/null
}

report() { # report TASK: one line of the table
    python3 - "$T" "$1" "$(stat -c %s "$T/m.gguf")" "$pp" "$tg" "$CTX" "$PAR" "$LAYERS" <<'EOF'
import json, os, sys
root, task, model_bytes, pp, tg, ctx = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
def timing(name):
    wall, kib = open(os.path.join(root, name + ".time")).read().split()
    return float(wall), int(kib) * 1024
def recs(name):
    return [json.loads(l) for l in open(os.path.join(root, name, "samples", task + ".jsonl"))]
def counts(name):
    return json.load(open(os.path.join(root, name, "results.json")))["counts"][task]
(dw, dmem), (pw, _) = timing(task + "-default"), timing(task + "-plain")
dc, pc = counts(task + "-default"), counts(task + "-plain")
ideal = dc["prompt_tokens"] / max(1, dc["prompt_tokens_decoded"])
differ = 0
for d, p in zip(recs(task + "-default"), recs(task + "-plain")):
    if "output" in d:
        a, b = d["output"].strip(), p["output"].strip()
        differ += not (b.startswith(a) if d.get("stopped_early") else a == b)
    else:
        differ += d.get("correct") != p.get("correct")
# KV cache: K and V, F16, per layer, the context long (dim 1024), a stream
# per slot.
kv = 2 * 2 * int(sys.argv[8]) * 1024 * ctx * int(sys.argv[7])
speedup = pw / dw
print("%-10s %8.1f %8.1f %8.2fx %7.2fx %7.0f%% %9.2f %9.2f %4d/%-4d %8.0f" % (
    task, dw, pw, speedup, ideal, 100 * speedup / ideal,
    pc["prompt_tokens"] / pw / pp, dc["new_tokens"] / dw / tg if dc["new_tokens"] else 0.0,
    differ, dc["samples"], (dmem - model_bytes - kv) / 2**20))
EOF
}

printf '%-10s %8s %8s %9s %8s %8s %9s %9s %9s %8s\n' task default plain speed-up ideal \
    "of ideal" pp/bench tg/bench differ "extra MB"
limit() { # limit TASK: questions per subtask (problems for HumanEval)
    case "$1" in
        mmlu) echo "${MMLU_LIMIT:-10}" ;; bbh) echo "${BBH_LIMIT:-3}" ;;
        crass) echo "${CRASS_LIMIT:-30}" ;; drop) echo "${DROP_LIMIT:-20}" ;;
        humaneval) echo "${HE_LIMIT:-8}" ;; hhh) echo "${HHH_LIMIT:-20}" ;;
    esac
}
for task in ${TASKS:-mmlu bbh crass drop humaneval hhh}; do
    set -- "$task" "$(limit "$task")"
    [ -e "$T/data/$1" ] || { echo "$1: no data, skipped"; continue; }
    run "$1-default" "$1" "$2"
    run "$1-plain" "$1" "$2" --no-prefix-reuse --full-outputs --parallel 1
    report "$1"
done
