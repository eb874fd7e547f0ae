# MMLU end to end: the real binary on the real MMLU files with a model made
# by mkmodel. The prompts match an independent implementation of the
# protocol byte for byte, a run writes complete results and samples, and the
# same run twice gives identical samples.
source "$(dirname "$0")/lib.sh"

MODEL="$(test_model llama-spm llama-spm)"

# All 14,042 prompts, as the protocol builds them.
check_prompts mmlu "$INSTRUCTEVAL_DATA" 14042

# Two identical runs.
for i in 1 2; do
    "$IE_BIN" run --model "$MODEL" --tasks mmlu --data "$INSTRUCTEVAL_DATA" --limit 2 \
        --threads 2 --quiet --no-store --out "$T/run$i" >"$T/table$i"
done
cmp "$T/run1/samples/mmlu.jsonl" "$T/run2/samples/mmlu.jsonl" ||
    fail "the same run twice gave different samples"
[ "$(wc -l <"$T/run1/samples/mmlu.jsonl")" -eq 114 ] || fail "expected 2 x 57 samples"
grep -q '^mmlu ' "$T/table1" || fail "no score table printed"

python3 - "$T/run1" "$MODEL" <<'PY'
import hashlib, json, os, sys
run, model = sys.argv[1], sys.argv[2]
res = json.load(open(os.path.join(run, "results.json")))
samples = [json.loads(l) for l in open(os.path.join(run, "samples", "mmlu.jsonl"))]
sha = hashlib.sha256(open(model, "rb").read()).hexdigest()
assert res["model"]["sha256"] == sha, "model sha256 differs"
assert res["model"]["size"] == os.path.getsize(model)
assert res["config"]["limit"] == 2 and res["config"]["tasks"] == ["mmlu"]
for key in ("started", "finished", "duration_s", "counts", "scores"):
    assert key in res, key
assert res["instructeval"]["llama_cpp"]
s = res["scores"]["mmlu"]
assert s["n"] == 114 and res["counts"]["mmlu"]["samples"] == 114
correct = sum(1 for r in samples if r["correct"])
assert s["correct"] == correct and abs(s["score"] - correct / 114) < 1e-9
assert len(s["subtasks"]) == 57 and sum(v["n"] for v in s["subtasks"].values()) == 114
assert set(s["categories"]) == {"STEM", "humanities", "social sciences",
                                "other (business, health, misc.)"}
assert sum(v["n"] for v in s["categories"].values()) == 114
for r in samples:
    assert set(r) >= {"id", "subtask", "prompt", "shots", "output", "label", "correct"}, r.keys()
    assert r["label"] in "ABCD" and 0 <= r["shots"] <= 5
    out = r["output"].strip()
    assert r["correct"] == out.startswith(r["label"]), r
print("results.json and samples agree")
PY
# 1,140 samples go to the model in windows (prompts are made as each one
# goes, and freed): every record still holds its own prompt, and its output
# is the one the same prompt got in the run above (exact attention makes
# an output depend on its prompt alone).
"$IE_BIN" run --model "$MODEL" --tasks mmlu --data "$INSTRUCTEVAL_DATA" --limit 20 \
    --threads 2 --quiet --no-store --out "$T/run20" >/dev/null
"$IE_BIN" prompts --task mmlu --data "$INSTRUCTEVAL_DATA" --limit 20 --model "$MODEL" \
    >"$T/prompts20.jsonl"
python3 - "$T/run20" "$T/run1" "$T/prompts20.jsonl" <<'PY'
import json, os, sys
load = lambda p: [json.loads(l) for l in open(p)]
big = load(os.path.join(sys.argv[1], "samples", "mmlu.jsonl"))
small = {r["id"]: r for r in load(os.path.join(sys.argv[2], "samples", "mmlu.jsonl"))}
prompts = load(sys.argv[3])
assert len(big) == len(prompts) == 1140, (len(big), len(prompts))
for r, p in zip(big, prompts):
    assert r["id"] == p["id"] and r["prompt"] == p["prompt"], r["id"]
same = [r for r in big if r["id"] in small]
assert len(same) == 114
for r in same:
    assert r["output"] == small[r["id"]]["output"] and r["prompt"] == small[r["id"]]["prompt"], r["id"]
print("1140 samples in windows: prompts and outputs in place")
PY
# mkmodel: the same options give the same bytes; another seed other weights.
V="$IE_VOCAB_DIR/ggml-vocab-llama-spm.gguf"
"$IE_BIN" mkmodel --vocab "$V" --out "$T/a.gguf" --layers 1 --dim 32 --seed 5
"$IE_BIN" mkmodel --vocab "$V" --out "$T/b.gguf" --layers 1 --dim 32 --seed 5
"$IE_BIN" mkmodel --vocab "$V" --out "$T/c.gguf" --layers 1 --dim 32 --seed 6
cmp "$T/a.gguf" "$T/b.gguf" || fail "mkmodel is not deterministic"
cmp -s "$T/a.gguf" "$T/c.gguf" && fail "mkmodel ignored the seed"
[ "$(stat -c %s "$T/a.gguf")" -eq "$(stat -c %s "$T/c.gguf")" ] || fail "sizes differ"
echo "e2e_mmlu: ok"
