#!/usr/bin/env bash
# Same answers, always: with exact attention and two-row generation steps,
# greedy outputs and HHH scores are the same bits for every thread count,
# batch size, prefix reuse, chunking and --parallel, so those settings are
# not part of the model's identity and a run with other settings is
# answered from the store.
source "$(dirname "$0")/lib.sh"

M="$(test_model llama-spm spm)"
TASKS=mmlu,bbh,crass,humaneval,hhh

mkdir -p "$T/data"
for d in mmlu bbh crass humaneval; do ln -s "$INSTRUCTEVAL_DATA/$d" "$T/data/$d"; done
ln -s "$IE_SOURCE_DIR/tests/data/hhh" "$T/data/hhh"

run() { # run OUT [options]: greedy outputs of every generating task, HHH scores
    local out="$1"
    shift
    expect_status 0 "$IE_BIN" run --model "$M" --tasks "$TASKS" --data "$T/data" --limit 2 \
        --greedy --quiet --out "$T/$out" "$@"
}

run base --no-store --threads 2
run threads1 --no-store --threads 1
run batch64 --no-store --batch 64 --no-prefix-reuse
run plain --no-store --chunking plain --batch 100
run batch9 --no-store --batch 9
run one --no-store --parallel 1
run three --no-store --parallel 3 --threads 1 --batch 32
python3 - "$T" base threads1 batch64 plain batch9 one three <<'EOF'
import json, os, sys
root, base, others = sys.argv[1], sys.argv[2], sys.argv[3:]
def outputs(run):
    got = {}
    for task in ["mmlu", "bbh", "crass", "humaneval", "hhh"]:
        for line in open(os.path.join(root, run, "samples", task + ".jsonl")):
            r = json.loads(line)
            key = (task, r.get("id", r.get("task_id")))
            got[key] = r["output"] if "output" in r else (r["scores_chosen_first"], r["scores_chosen_last"])
    return got
want = outputs(base)
assert len(want) >= 100, len(want)
for run in others:
    got = outputs(run)
    assert got.keys() == want.keys(), run
    bad = [k for k in want if got[k] != want[k]]
    assert not bad, f"{run}: {len(bad)} of {len(want)} outputs differ, e.g. {bad[0]}"
print(f"{len(want)} outputs identical across {', '.join(others)}")
EOF

# The store: a run with other threads and batch is the same work.
run stored1 --threads 2
run stored2 --threads 1 --batch 128 --parallel 2
python3 - "$T/stored2/results.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))["counts"]
total = sum(v["requests"] for v in c.values())
cached = sum(v["requests_cached"] for v in c.values())
assert total > 0 and cached == total, (cached, total)
print(f"all {total} requests answered from the store across threads, batch and parallel")
EOF
