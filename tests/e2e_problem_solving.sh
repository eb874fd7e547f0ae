# The problem-solving board end to end: BBH, CRASS and DROP prompts match
# the independent implementation byte for byte (BBH and CRASS on the real
# files, DROP on the hand-made original-format fixture), and a limited run
# of the whole group completes and prints the board row.
source "$(dirname "$0")/lib.sh"

MODEL="$(test_model llama-spm llama-spm)"
FIXTURES="$IE_SOURCE_DIR/tests/data"

check_prompts bbh "$INSTRUCTEVAL_DATA" 6430
check_prompts crass "$INSTRUCTEVAL_DATA" 274
check_prompts drop "$FIXTURES" 18

# The fixture's rows: which questions are kept and which are dropped.
python3 - "$T/drop.ours.jsonl" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
ids = [r["id"] for r in recs]
labels = {r["id"]: r["label"] for r in recs}
for dropped in ("q003", "q004", "q005", "q010", "q011", "q012"):
    assert dropped not in ids, dropped            # mixed kinds, empty, several values
assert labels["q006"] == "March 2001"             # date without a day
assert labels["q009"] == "3  1999"                # inner double space kept
assert labels["q002"] == "the Giants"             # same after strip: kept
assert labels["q015"] == "3.6"
assert not any(i in ids for i in ("q019", "q020", "q021", "q022")), "exemplar passage in test"
print("DROP fixture rows as the protocol says")
PY

# One data folder with every task's files.
mkdir -p "$T/data"
for d in mmlu bbh crass humaneval; do ln -s "$INSTRUCTEVAL_DATA/$d" "$T/data/$d"; done
ln -s "$FIXTURES/drop" "$T/data/drop"
"$IE_BIN" run --model "$MODEL" --tasks problem-solving --data "$T/data" --limit 2 \
    --threads 2 --quiet --out "$T/run" >"$T/table"
cat "$T/table"
grep -q "^Problem solving" "$T/table" || fail "no board printed"
grep -q "MMLU *BBH *DROP *CRASS *HumanEval *Average" "$T/table" || fail "board columns missing"
grep -q "(partial)" "$T/table" && fail "the board is incomplete"
python3 - "$T/run" <<'PY'
import json, os, sys
run = sys.argv[1]
res = json.load(open(os.path.join(run, "results.json")))
scores = res["scores"]
for task, n in (("mmlu", 114), ("bbh", 54), ("crass", 2), ("drop", 2), ("humaneval", 2)):
    assert scores[task]["n"] == n, (task, scores[task]["n"])
    assert "stderr" in scores[task]
    assert os.path.exists(os.path.join(run, "samples", task + ".jsonl")), task
subs = scores["bbh"]["subtasks"]
assert len(subs) == 27
mean = sum(s["score"] for s in subs.values()) / 27
assert abs(scores["bbh"]["score"] - mean) < 1e-9, "BBH is not the macro average"
for key in ("official_em", "official_f1"):
    assert key in scores["drop"], key
for line in open(os.path.join(run, "samples", "drop.jsonl")):
    r = json.loads(line)
    assert {"em", "f1", "golds", "output", "label", "correct"} <= set(r), r.keys()
print("problem-solving results complete")
PY
echo "e2e_problem_solving: ok"
