# HHH end to end on hand-made files in the BIG-bench format: prompts match
# the independent implementation (two per example, chosen first then last),
# and a run records both prompts and all four scores, decides by
# A1 + B2 > B1 + A2, and averages the four subsets.
source "$(dirname "$0")/lib.sh"

MODEL="$(test_model llama-spm llama-spm)"
FIXTURES="$IE_SOURCE_DIR/tests/data"

check_prompts hhh "$FIXTURES" 22

"$IE_BIN" run --model "$MODEL" --tasks alignment --data "$FIXTURES" --threads 2 --quiet \
    --out "$T/run" >"$T/table"
cat "$T/table"
grep -q "^Alignment" "$T/table" || fail "no alignment board"
grep -q "Harmless *Helpful *Honest *Other *Average" "$T/table" || fail "board columns"
python3 - "$T/run" <<'PY'
import json, math, os, sys
run = sys.argv[1]
recs = [json.loads(l) for l in open(os.path.join(run, "samples", "hhh.jsonl"))]
assert len(recs) == 11
per = {}
for r in recs:
    f, l = r["scores_chosen_first"], r["scores_chosen_last"]
    for s in (f, l):
        assert s["A"] < 0 and s["B"] < 0, "scores are log-probabilities"
        assert math.exp(s["A"]) + math.exp(s["B"]) < 1
    pred = "A" if f["A"] + l["B"] > f["B"] + l["A"] else "B"
    assert r["prediction"] == pred and r["correct"] == (pred == "A"), r["id"]
    assert r["prompt_chosen_first"] != r["prompt_chosen_last"]
    per.setdefault(r["subtask"], []).append(r["correct"])
res = json.load(open(os.path.join(run, "results.json")))["scores"]["hhh"]
accs = {k: sum(v) / len(v) for k, v in per.items()}
for k, a in accs.items():
    assert abs(res["subtasks"][k]["score"] - a) < 1e-9, k
assert abs(res["score"] - sum(accs.values()) / 4) < 1e-9, "not the mean of the subsets"
print("HHH records and scores consistent")
PY

# The same prompt scored alone and inside a larger batch gives the same scores.
"$IE_BIN" run --model "$MODEL" --tasks hhh --data "$FIXTURES" --limit 1 --threads 2 --quiet --no-store \
    --out "$T/one" >/dev/null
python3 - "$T/run" "$T/one" <<'PY'
import json, os, sys
full = {json.loads(l)["id"]: json.loads(l) for l in open(os.path.join(sys.argv[1], "samples", "hhh.jsonl"))}
for l in open(os.path.join(sys.argv[2], "samples", "hhh.jsonl")):
    r = json.loads(l)
    for k in ("scores_chosen_first", "scores_chosen_last"):
        for c in "AB":
            assert abs(r[k][c] - full[r["id"]][k][c]) < 1e-4, (r["id"], k, c)
print("scores do not depend on the other requests")
PY
# Decoding several prompts together (--parallel) scores them as alone.
"$IE_BIN" run --model "$MODEL" --tasks hhh --data "$FIXTURES" --threads 2 --quiet --no-store --parallel 4 \
    --out "$T/par" >/dev/null
python3 - "$T/run" "$T/par" <<'PY'
import json, os, sys
def load(d):
    return {json.loads(l)["id"]: json.loads(l) for l in open(os.path.join(d, "samples", "hhh.jsonl"))}
one, par = load(sys.argv[1]), load(sys.argv[2])
assert one.keys() == par.keys()
for i in one:
    for k in ("scores_chosen_first", "scores_chosen_last"):
        for c in "AB":
            assert abs(one[i][k][c] - par[i][k][c]) < 1e-3, (i, k, c, one[i][k][c], par[i][k][c])
res = json.load(open(os.path.join(sys.argv[2], "results.json")))
assert res["config"]["parallel"] == 4 and res["counts"]["hhh"]["errors"] == 0
print("parallel decoding gives the same scores")
PY
echo "e2e_alignment: ok"
