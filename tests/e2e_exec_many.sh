# 2,000 correct programs in a row through the sandbox: every one passes,
# and no sandboxed process is left behind.
source "$(dirname "$0")/lib.sh"

python3 - "$INSTRUCTEVAL_DATA/humaneval/HumanEval.jsonl.gz" "$T/many.jsonl" <<'PY'
import gzip, json, sys
problems = [json.loads(l) for l in gzip.open(sys.argv[1], "rt")]
with open(sys.argv[2], "w") as f:
    for i in range(2000):
        p = problems[i % len(problems)]
        f.write(json.dumps({"task_id": p["task_id"], "completion": p["canonical_solution"]}) + "\n")
PY
"$IE_BIN" exec-samples "$T/many.jsonl" --problems "$INSTRUCTEVAL_DATA/humaneval/HumanEval.jsonl.gz" \
    --exec-timeout 20 --quiet >"$T/pass" &
EVALUATOR=$!
wait $EVALUATOR || fail "exec-samples failed"
python3 - "$T/pass" "$T/many.jsonl_results.jsonl" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[2])]
assert len(recs) == 2000
bad = [(i, r["task_id"], r["result"], r["wall_ms"], r.get("detail")) for i, r in enumerate(recs)
       if not r["passed"]]
assert not bad, (len(bad), bad[:5])
assert json.load(open(sys.argv[1]))["pass@1"] == 1.0
print("2000 of 2000 passed, isolation:", sorted({r["isolation"] for r in recs}))
PY
# Sandboxed interpreters carry "ie-exec:<evaluator pid>" in their command line.
if ps -eo args | grep -v grep | grep -q "ie-exec:$EVALUATOR\b"; then
    ps -eo pid,args | grep "ie-exec:$EVALUATOR" >&2
    fail "sandboxed processes survived"
fi
echo "e2e_exec_many: ok"
