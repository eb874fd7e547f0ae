# The model families beside LLaMA: a GPT-NeoX decoder (Pythia, Dolly,
# RedPajama), a BLOOM decoder (BLOOMZ) and a T5 encoder-decoder (Flan-T5,
# mT0, UL2) made by mkmodel
# with their tokenizers, each run on MMLU, BBH, HHH and IMPACT subsets end
# to end, twice with the same bytes; prompts get BOS and EOS as each
# model's metadata says, counted against llama.cpp's own tokenizer. The
# StableLM, MPT and Falcon decoders, each with its own vocabulary, run the
# MMLU and BBH subsets the same way, which is what tells their layouts and
# tokenizers apart, in a few seconds each.
source "$(dirname "$0")/lib.sh"

LLAMA_BIN="$(dirname "$IE_LLAMA_SERVER")"
NEOX="$(test_model neox gpt-neox --arch gpt-neox)"
T5="$(test_model t5 llama-spm --arch t5 --kv-heads 4)"
# BLOOM has no vocabulary in the pinned tree: GPT-2's byte-level BPE is its kind.
BLOOM="$(test_model bloom gpt-2 --arch bloom --kv-heads 4)"
# Their head counts as in StableLM 2 12B (grouped), MPT-7B (one KV head per
# head) and Falcon-7B (one KV head for all).
STABLELM="$(test_model stablelm gpt-neox --arch stablelm)"
MPT="$(test_model mpt mpt --arch mpt --kv-heads 4)"
FALCON="$(test_model falcon falcon --arch falcon --kv-heads 1)"
JUDGE="$(test_model judge-bpe llama-bpe --seed 7)"
# A few MMLU subjects and BBH tasks (the published files, so the data
# check passes): an encoder-decoder model computes every prompt whole.
mkdir -p "$T/data/mmlu/dev" "$T/data/mmlu/test" "$T/data/bbh"
for s in abstract_algebra anatomy college_biology high_school_geography; do
    for split in dev test; do
        ln -s "$INSTRUCTEVAL_DATA/mmlu/$split/${s}_$split.csv" "$T/data/mmlu/$split/"
    done
done
for b in boolean_expressions date_understanding navigate; do
    ln -s "$INSTRUCTEVAL_DATA/bbh/$b.json" "$T/data/bbh/"
done
for d in hhh impact; do ln -s "$IE_SOURCE_DIR/tests/data/$d" "$T/data/$d"; done

expect_status 2 "$IE_BIN" mkmodel --arch bert --vocab "$IE_VOCAB_DIR/ggml-vocab-llama-spm.gguf" \
    --out "$T/x.gguf"
expect_stderr "no architecture 'bert' (llama, gpt-neox, t5, bloom, stablelm, mpt or falcon)"

# check_tokens RUN MODEL NAME TASK...: each task's first prompts have as
# many tokens as llama.cpp's tokenizer gives with the model's BOS rule, and
# one EOS more where the model ends its inputs with one (T5).
check_tokens() {
    python3 - "$@" "$LLAMA_BIN/llama-tokenize" <<'PY'
import json, subprocess, sys
run, model, name, *tasks, tok = sys.argv[1:]
res = json.load(open(run + "/results.json"))
m = res["model"]
want = (False, True) if name == "t5" else (False, False)
assert (m["add_bos"], m["add_eos"]) == want, (name, m["add_bos"], m["add_eos"])
assert ("encoder_decoder" in m) == (name == "t5"), m
for task in tasks:
    for line in list(open(f"{run}/samples/{task}.jsonl"))[:3]:
        r = json.loads(line)
        out = subprocess.run([tok, "-m", model, "-p", r["prompt"], "--ids", "--log-disable"],
                             capture_output=True, text=True, check=True).stdout
        ids = json.loads(out.strip().splitlines()[-1])
        assert r["prompt_tokens"] == len(ids) + m["add_eos"], (name, task, r["prompt_tokens"],
                                                               len(ids))
        assert r["output"] is not None and "error" not in r, r
print(name, "ok")
PY
}

for m in "$NEOX" "$BLOOM" "$T5"; do
    name="$(basename "$m" .gguf)"
    for i in 1 2; do
        "$IE_BIN" run --model "$m" --tasks mmlu,bbh,hhh --data "$T/data" \
            --limit 1 --ctx 2048 --threads 2 --quiet --no-store --out "$T/$name.$i" >/dev/null
    done
    # IMPACT's answers run to the end of a small context.
    for i in 1 2; do
        "$IE_BIN" run --model "$m" --judge "$JUDGE" --tasks impact --data "$T/data" --limit 1 \
            --ctx 384 --threads 2 --quiet --no-store --out "$T/$name.w$i" >/dev/null
    done
    cmp "$T/$name.w1/samples/impact.jsonl" "$T/$name.w2/samples/impact.jsonl" \
        || fail "$name: two runs of impact differ"
    python3 - "$T/$name.w1" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1] + "/samples/impact.jsonl")]
assert len(recs) == 4 and all(r["output"] is not None and r["scores"] for r in recs), recs
PY
    for f in mmlu bbh hhh; do
        cmp "$T/$name.1/samples/$f.jsonl" "$T/$name.2/samples/$f.jsonl" \
            || fail "$name: two runs of $f differ"
    done
    check_tokens "$T/$name.1" "$m" "$name" mmlu bbh
done
for m in "$STABLELM" "$MPT" "$FALCON"; do
    name="$(basename "$m" .gguf)"
    for i in 1 2; do
        "$IE_BIN" run --model "$m" --tasks mmlu,bbh --data "$T/data" \
            --limit 1 --ctx 2048 --threads 2 --quiet --no-store --out "$T/$name.$i" >/dev/null
    done
    for f in mmlu bbh; do
        cmp "$T/$name.1/samples/$f.jsonl" "$T/$name.2/samples/$f.jsonl" \
            || fail "$name: two runs of $f differ"
    done
    check_tokens "$T/$name.1" "$m" "$name" mmlu bbh
done
echo "e2e_families: ok"
