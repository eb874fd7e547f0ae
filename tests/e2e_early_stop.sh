#!/usr/bin/env bash
# Stopping when decided: a run that ends generation once each score is
# settled scores every sample exactly as a run that generates the whole
# budget, and its outputs are prefixes of the full ones.
#
# A random-weight model is almost never right, so the test makes labels it
# gets right: BBH's test targets (never part of any prompt) are rewritten
# from the model's own full outputs, some to a prefix of the output
# (correct), some to a prefix followed by a character it did not write
# (wrong only past that point), the rest left as they are.
source "$(dirname "$0")/lib.sh"

M="$(test_model llama-spm spm)"
mkdir -p "$T/data/bbh"
for task in boolean_expressions date_understanding; do
    python3 - "$INSTRUCTEVAL_DATA/bbh/$task.json" "$T/data/bbh/$task.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["examples"] = d["examples"][:3 + 12]
json.dump(d, open(sys.argv[2], "w"))
EOF
done

run() { # run OUT [options]: BBH on the test data, no store
    local out="$1"
    shift
    # The targets are rewritten, so the data is not the published one.
    expect_status 0 "$IE_BIN" run --model "$M" --tasks bbh --data "$T/data" --allow-modified-data \
        --no-store --quiet --out "$T/$out" "$@"
}

run full0 --full-outputs
python3 - "$T/full0/samples/bbh.jsonl" "$T/data/bbh" <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
by_task = {}
for i, r in enumerate(recs):
    out = r["output"].strip()
    task, n = r["id"].rsplit("/", 1)
    k = max(1, len(out) // 3)
    if i % 3 == 0 and out:
        label = out[:k].rstrip() or out[:1]
    elif i % 3 == 1 and out:
        label = out[:k] + ("#" if out[k:k + 1] != "#" else "%")
    else:
        continue
    by_task.setdefault(task, {})[int(n)] = label
for task, labels in by_task.items():
    path = f"{sys.argv[2]}/{task}.json"
    d = json.load(open(path))
    for n, label in labels.items():
        d["examples"][3 + n]["target"] = label
    json.dump(d, open(path, "w"))
EOF

run early
run full --full-outputs
python3 - "$T/early/samples/bbh.jsonl" "$T/full/samples/bbh.jsonl" <<'EOF'
import json, sys
early = [json.loads(l) for l in open(sys.argv[1])]
full = [json.loads(l) for l in open(sys.argv[2])]
assert len(early) == len(full) == 24, (len(early), len(full))
for e, f in zip(early, full):
    assert e["id"] == f["id"] and e["label"] == f["label"], (e["id"], f["id"])
    assert e["correct"] == f["correct"], (e["id"], e["output"], f["output"], e["label"])
    assert f["output"].startswith(e["output"]), (e["id"], e["output"], f["output"])
    assert "stopped_early" not in f, f["id"]
    if e["stopped_early"]:
        assert len(e["output"]) < len(f["output"]), e["id"]
right = sum(e["correct"] for e in early)
stopped = sum(e["stopped_early"] for e in early)
stopped_right = sum(e["correct"] and e["stopped_early"] for e in early)
print(f"{right} correct, {stopped} stopped early ({stopped_right} of them correct)")
assert right >= 4 and stopped >= 12 and stopped_right >= 2, (right, stopped, stopped_right)
EOF
cmp <(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["scores"]["bbh"])' \
        "$T/early/results.json") \
    <(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["scores"]["bbh"])' \
        "$T/full/results.json") || fail "BBH scores differ between early stopping and full outputs"
grep -q '"full_outputs": true' "$T/full/results.json" || fail "results do not record full_outputs"
echo "early stopping: same scores as full outputs"
