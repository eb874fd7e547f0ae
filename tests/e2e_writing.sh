# IMPACT end to end on a hand-made file in the original format, with
# mkmodel models as writer and judge: the full writing board is printed, the
# judge prompts are the protocol's templates filled with the stored answers,
# and `instructeval judge` rates the stored answers again with another judge
# without regenerating them.
source "$(dirname "$0")/lib.sh"

WRITER="$(test_model llama-spm llama-spm)"
JUDGE="$(test_model judge-bpe llama-bpe --seed 7)"
FIXTURES="$IE_SOURCE_DIR/tests/data"

expect_status 2 "$IE_BIN" run --model "$WRITER" --tasks writing --data "$FIXTURES"
expect_stderr "needs a judge model"

"$IE_BIN" run --model "$WRITER" --judge "$JUDGE" --tasks writing --data "$FIXTURES" \
    --limit 1 --threads 2 --quiet --out "$T/run" >"$T/table"
cat "$T/table"
grep -q "^Writing" "$T/table" || fail "no writing board"
grep -q "Inf.Rel *Inf.Coh *Pro.Rel *Pro.Coh *Arg.Rel *Arg.Coh *Cre.Rel *Cre.Coh *Rel. *Coh." \
    "$T/table" || fail "writing board columns"
python3 "$IE_SOURCE_DIR/tests/reference/impact_judge.py" "$T/run"
python3 - "$T/run" "$JUDGE" <<'PY'
import hashlib, json, os, sys
res = json.load(open(os.path.join(sys.argv[1], "results.json")))
assert res["judge"]["sha256"] == hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest()
s = res["scores"]["impact"]
assert s["n"] == 4 and s["scale"] == "1-5"
for mode in ("relevance", "coherence"):
    st = s["strict"][mode]
    assert st["n"] + st["unparsable"] == 4
    assert set(s["reference"][mode]["categories"]) == {"Informative", "Professional",
                                                       "Argumentative", "Creative"}
print("IMPACT results complete")
PY

# Judge again with another model: answers stay, judgements change.
cp "$T/run/samples/impact.jsonl" "$T/before.jsonl"
JUDGE2="$(test_model judge-spm-2 llama-spm --seed 3)"
"$IE_BIN" judge "$T/run" --judge "$JUDGE2" --threads 2 --quiet >"$T/table2"
grep -q "^Writing" "$T/table2" || fail "judge printed no board"
python3 "$IE_SOURCE_DIR/tests/reference/impact_judge.py" "$T/run"
python3 - "$T/before.jsonl" "$T/run" "$JUDGE2" <<'PY'
import hashlib, json, os, sys
before = [json.loads(l) for l in open(sys.argv[1])]
after = [json.loads(l) for l in open(os.path.join(sys.argv[2], "samples", "impact.jsonl"))]
assert [r["output"] for r in before] == [r["output"] for r in after], "answers changed"
assert [r["reviews"] for r in before] != [r["reviews"] for r in after], "same reviews"
res = json.load(open(os.path.join(sys.argv[2], "results.json")))
assert res["judge"]["sha256"] == hashlib.sha256(open(sys.argv[3], "rb").read()).hexdigest()
assert "judged" in res["judge"]
print("re-judged without regenerating")
PY
expect_status 2 "$IE_BIN" judge "$T/nothing" --judge "$JUDGE2"
expect_stderr "results.json"
echo "e2e_writing: ok"
