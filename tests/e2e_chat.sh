# Chat templates in process: a model whose GGUF carries a template (the
# phi-3 and qwen2 vocabularies' own) wraps each prompt as one user turn (or
# a few-shot prompt's exemplars as turns),
# rendered as llama-server renders the same messages, with one BOS where
# the model adds one; the choice is recorded and changes the requests' keys.
source "$(dirname "$0")/lib.sh"
: "${IE_LLAMA_SERVER:?IE_LLAMA_SERVER must name llama-server}"

PHI="$(test_model chat-phi3 phi-3)"
QWEN="$(test_model chat-qwen2 qwen2)"
PLAIN="$(test_model llama-spm llama-spm)"
LLAMA_BIN="$(dirname "$IE_LLAMA_SERVER")"
mkdir -p "$T/data"
ln -s "$INSTRUCTEVAL_DATA/crass" "$T/data/crass"

expect_status 2 "$IE_BIN" run --model "$PLAIN" --tasks crass --data "$T/data" --limit 1 \
    --chat-template --no-store --quiet
expect_stderr "carries no chat template (tokenizer.chat_template)"

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
SERVER=
cleanup() {
    [ -z "$SERVER" ] || kill "$SERVER" 2>/dev/null || true
    rm -rf "$T"
}
trap cleanup EXIT

# check MODEL NAME [SYSTEM [TASK --fewshot-as-multiturn]]: our rendering of
# every prompt of TASK (default CRASS; limit 2) equals llama-server's
# /apply-template for the same messages; sent as turns, the turns joined as
# the reference joins exemplars are the raw prompt.
check() {
    local model="$1" name="$2" system="${3:-}" task="${4:-crass}" port
    local args=(--task "$task" --data "$T/data" --limit 2 --model "$model" --chat-template)
    [ -z "$system" ] || args+=(--system "$system")
    [ -z "${5:-}" ] || args+=("$5")
    "$IE_BIN" prompts "${args[@]}" >"$T/$name.jsonl"
    port="$(free_port)"
    "$IE_LLAMA_SERVER" -m "$model" --host 127.0.0.1 --port "$port" -t 2 -c 4096 -np 1 \
        >"$T/$name.server.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 600); do
        curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
        kill -0 "$SERVER" 2>/dev/null || { cat "$T/$name.server.log"; fail "llama-server died"; }
        sleep 0.1
    done
    "$IE_BIN" prompts --task "$task" --data "$T/data" --limit 2 >"$T/$name.raw.jsonl"
    python3 - "$T/$name.jsonl" "$port" "$system" "$T/$name.raw.jsonl" <<'PY'
import json, sys, urllib.request
path, port, system, raw = sys.argv[1:5]
raws = [json.loads(l)["prompt"] for l in open(raw)]
for line, flat in zip(open(path), raws):
    r = json.loads(line)
    turns = r.get("turns", [{"role": "user", "content": r["prompt"]}])
    if "turns" in r:
        assert len(turns) == 2 * r["shots"] + 1, (len(turns), r["shots"])
        assert [t["role"] for t in turns] == ["user", "assistant"] * r["shots"] + ["user"]
    joined = "".join(t["content"] + (" " if t["role"] == "user" else "\n\n")
                     for t in turns[:-1]) + turns[-1]["content"]
    assert joined == flat, (joined[:300], flat[:300])
    msgs = ([{"role": "system", "content": system}] if system else []) + turns
    req = urllib.request.Request(f"http://127.0.0.1:{port}/apply-template",
                                 data=json.dumps({"messages": msgs}).encode(),
                                 headers={"Content-Type": "application/json"})
    want = json.load(urllib.request.urlopen(req))["prompt"]
    assert r["model_prompt"] == want, (r["model_prompt"][:200], want[:200])
print(path, "renders as llama-server does")
PY
    kill "$SERVER"
    wait "$SERVER" 2>/dev/null || true
    SERVER=
}
check "$PHI" phi
check "$QWEN" qwen "You answer with one letter."
# One short subject: every prompt keeps its 5 shots, as the raw prompts do.
mkdir -p "$T/data/mmlu/dev" "$T/data/mmlu/test"
ln -s "$INSTRUCTEVAL_DATA/mmlu/dev/abstract_algebra_dev.csv" "$T/data/mmlu/dev/"
ln -s "$INSTRUCTEVAL_DATA/mmlu/test/abstract_algebra_test.csv" "$T/data/mmlu/test/"
check "$QWEN" qwen-turns "You answer with one letter." mmlu --fewshot-as-multiturn
check "$PHI" phi-turns "" crass --fewshot-as-multiturn
expect_status 2 "$IE_BIN" run --model "$PHI" --tasks crass --data "$T/data" --limit 1 \
    --fewshot-as-multiturn --no-store --quiet
expect_stderr "--fewshot-as-multiturn needs --chat-template"

# One BOS: phi-3 adds one and its template names it; the prompt's tokens
# are llama.cpp's tokens of the rendered text, which begin with one BOS.
"$IE_BIN" run --model "$PHI" --tasks crass --data "$T/data" --limit 2 --chat-template \
    --threads 2 --quiet --store "$T/s.db" --out "$T/chat" >/dev/null
"$IE_BIN" run --model "$PHI" --tasks crass --data "$T/data" --limit 2 \
    --threads 2 --quiet --store "$T/s.db" --out "$T/raw" >/dev/null
python3 - "$T/chat" "$T/raw" "$T/phi.jsonl" "$PHI" "$LLAMA_BIN/llama-tokenize" <<'PY'
import json, subprocess, sys
chat, raw, rendered, model, tok = sys.argv[1:]
res = json.load(open(chat + "/results.json"))
assert res["config"]["chat_template"] == "model", res["config"]
assert json.load(open(raw + "/results.json"))["config"]["chat_template"] is None
# The chat run's requests were not answered by the raw run's cache.
assert res["counts"]["crass"]["requests_cached"] == 0, res["counts"]
prompts = [json.loads(l)["model_prompt"] for l in open(rendered)]
recs = [json.loads(l) for l in open(chat + "/samples/crass.jsonl")]
for text, r in zip(prompts, recs):
    out = subprocess.run([tok, "-m", model, "-p", text, "--ids", "--log-disable"],
                         capture_output=True, text=True, check=True).stdout
    ids = json.loads(out.strip().splitlines()[-1])
    assert ids[0] == 1 and ids[1] != 1, ids[:4]          # one BOS (id 1 in this vocab)
    assert r["prompt_tokens"] == len(ids), (r["prompt_tokens"], len(ids))
print("one BOS; recorded; keyed apart")
PY
"$IE_BIN" run --model "$PHI" --tasks crass --data "$T/data" --limit 2 --chat-template \
    --fewshot-as-multiturn --threads 2 --quiet --store "$T/s.db" --out "$T/turns" >/dev/null
python3 - "$T/turns" "$T/phi-turns.jsonl" <<'PY'
import json, sys
out, rendered = sys.argv[1:]
res = json.load(open(out + "/results.json"))
assert res["config"]["fewshot_as_multiturn"] is True, res["config"]
assert res["counts"]["crass"]["requests_cached"] == 0, res["counts"]
want = [json.loads(l) for l in open(rendered)]
recs = [json.loads(l) for l in open(out + "/samples/crass.jsonl")]
assert [r["turns"] for r in recs] == [w["turns"] for w in want]
print("turns recorded; keyed apart")
PY
"$IE_BIN" leaderboard --store "$T/s.db" --all-settings --format csv >"$T/board.csv"
grep -q '"limit=2, chat template"' "$T/board.csv" || { cat "$T/board.csv"; fail "board setting"; }
grep -q '"limit=2, chat template, exemplars as turns"' "$T/board.csv" ||
    { cat "$T/board.csv"; fail "board setting: turns"; }
echo "e2e_chat: ok"
