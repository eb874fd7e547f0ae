# Served models: the pinned llama-server on loopback with a mkmodel model,
# against the in-process backend on the same model cut the way a server
# cuts prompts (--chunking plain): greedy outputs (stripped) and HHH
# decisions are identical on MMLU, BBH, CRASS and HHH subsets. Then the
# same run through a proxy that drops connections, stalls, cuts bodies and
# answers 500 and 429 with Retry-After finishes with the same samples, and
# the API key reaches the server but no file.
source "$(dirname "$0")/lib.sh"

: "${IE_LLAMA_SERVER:?IE_LLAMA_SERVER must name llama-server}"
MODEL="$(test_model llama-spm llama-spm)"
FIXTURES="$IE_SOURCE_DIR/tests/data"
mkdir -p "$T/data"
for d in mmlu bbh crass; do ln -s "$INSTRUCTEVAL_DATA/$d" "$T/data/$d"; done
ln -s "$FIXTURES/hhh" "$T/data/hhh"
TASKS=mmlu,bbh,crass,hhh

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

PORT="$(free_port)"
"$IE_LLAMA_SERVER" -m "$MODEL" --host 127.0.0.1 --port "$PORT" -t 2 -c 4096 -b 512 -ub 512 \
    -np 1 >"$T/server.log" 2>&1 &
SERVER=$!
PROXY=
PLAIN=
cleanup() {
    kill "$SERVER" 2>/dev/null || true
    [ -z "$PROXY" ] || kill "$PROXY" 2>/dev/null || true
    [ -z "$PLAIN" ] || kill "$PLAIN" 2>/dev/null || true
    rm -rf "$T"
}
trap cleanup EXIT
for _ in $(seq 600); do
    curl -sf "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break
    kill -0 "$SERVER" 2>/dev/null || { cat "$T/server.log"; fail "llama-server did not start"; }
    sleep 0.1
done
curl -sf "http://127.0.0.1:$PORT/health" >/dev/null || fail "llama-server is not healthy"

"$IE_BIN" run --model "$MODEL" --tasks "$TASKS" --data "$T/data" --limit 2 --threads 2 \
    --ctx 4096 --batch 512 --chunking plain --quiet --no-store --out "$T/local" >/dev/null
"$IE_BIN" run --model "http://127.0.0.1:$PORT/v1" --tasks "$TASKS" --data "$T/data" --limit 2 \
    --quiet --no-store --out "$T/http" >"$T/http.table"
grep -q '^mmlu ' "$T/http.table" || fail "no score table from the served run"

python3 - "$T/local" "$T/http" <<'PY'
import json, os, sys
def load(d, t):
    return [json.loads(l) for l in open(os.path.join(d, "samples", t + ".jsonl"))]
res = json.load(open(os.path.join(sys.argv[2], "results.json")))
assert res["model"]["backend"] == "http" and res["model"]["server"]["server"] == "llama.cpp", res["model"]
for t in ("mmlu", "bbh", "crass"):
    a, b = load(sys.argv[1], t), load(sys.argv[2], t)
    assert len(a) == len(b) and len(a) > 0, t
    for x, y in zip(a, b):
        assert x["prompt"] == y["prompt"] and x["shots"] == y["shots"], (t, x["id"])
        assert x["output"].strip() == y["output"].strip(), (t, x["id"], x["output"], y["output"])
        assert x["correct"] == y["correct"]
    print(t, len(a), "outputs identical")
a, b = load(sys.argv[1], "hhh"), load(sys.argv[2], "hhh")
assert len(a) == len(b) > 0
for x, y in zip(a, b):
    assert x["correct"] == y["correct"], x["id"]
    for k in ("scores_chosen_first", "scores_chosen_last"):
        for c in "AB":
            assert abs(x[k][c] - y[k][c]) < 1e-3, (x["id"], k, c, x[k][c], y[k][c])
print("hhh", len(a), "decisions identical, scores within 1e-3")
PY

# letters CHECKED LOCAL TASK: the served run's letter log-probabilities
# against the in-process ones: equal where exact, at least the true value
# where an upper bound; the same likeliest letter where it is known.
letters() {
    python3 - "$@" <<'PY'
import json, os, sys
served, local = sys.argv[1], sys.argv[2]
for t in sys.argv[3:]:
    a = [json.loads(l) for l in open(os.path.join(local, "samples", t + ".jsonl"))]
    b = [json.loads(l) for l in open(os.path.join(served, "samples", t + ".jsonl"))]
    exact = known = 0
    for x, y in zip(a, b):
        assert "letter_logprobs" in y, (t, y["id"], sorted(y))
        ub = set(y.get("letter_logprobs_upper_bounds", []))
        for c, v in y["letter_logprobs"].items():
            if c in ub:
                assert x["letter_logprobs"][c] <= v + 1e-3, (t, y["id"], c)
            else:
                assert abs(x["letter_logprobs"][c] - v) < 1e-3, (t, y["id"], c, v)
                exact += 1
        if y["letter_correct"] is not None:
            assert y["letter_correct"] == x["letter_correct"], (t, y["id"])
            known += 1
        assert (y["letter_correct"] is None) == (len(ub) == len(y["letter_logprobs"]))
    res = json.load(open(os.path.join(served, "results.json")))["scores"][t]
    assert res.get("letter_likelihood", {}).get("n", 0) == known, (t, res.get("letter_likelihood"))
    print(t, len(a), "letter sets;", exact, "exact log-probabilities;", known, "decided")
PY
}
letters "$T/http" "$T/local" mmlu crass

# Through the fault-injecting proxy, with an API key.
python3 "$IE_SOURCE_DIR/tests/reference/fault_proxy.py" "$T/proxy.port" \
    "http://127.0.0.1:$PORT" "$T/proxy.log" 3 &
PROXY=$!
for _ in $(seq 100); do [ -e "$T/proxy.port" ] && break; sleep 0.1; done
PPORT="$(cat "$T/proxy.port")"
SECRET="sk-test-$RANDOM$RANDOM-secret"
# Two endpoints: the proxy and the server behind it, balanced by load.
OPENAI_API_KEY="$SECRET" "$IE_BIN" run --model "http://127.0.0.1:$PPORT,http://127.0.0.1:$PORT" \
    --tasks "$TASKS" \
    --data "$T/data" --limit 2 --concurrency 4 --timeout 1.5 --retries 12 --store "$T/store.db" \
    --out "$T/faults" >"$T/faults.table" 2>"$T/faults.err" || {
    cat "$T/faults.err"
    grep -h '"error"' "$T"/faults/samples/*.jsonl | cut -c1-2000 >&2 || true
    fail "the run through faults failed"
}
grep -Eq '^mmlu: .* 0 in flight, [1-9][0-9]* retried$' "$T/faults.err" ||
    fail "the progress lines do not count the retries: $(cat "$T/faults.err")"
for t in bbh hhh; do
    cmp "$T/http/samples/$t.jsonl" "$T/faults/samples/$t.jsonl" ||
        fail "$t samples differ through faults"
done
# A generation's letter log-probabilities are the server's, computed after
# whatever its prompt cache held (HHH's scores are asked without it): they
# move in the fourth decimal from run to run; all else is the same bytes.
python3 - "$T/http" "$T/faults" <<'PY'
import json, os, sys
for t in ("mmlu", "crass"):
    a, b = ([json.loads(l) for l in open(os.path.join(d, "samples", t + ".jsonl"))]
            for d in sys.argv[1:3])
    assert len(a) == len(b) > 0
    for x, y in zip(a, b):
        lx, ly = x.pop("letter_logprobs"), y.pop("letter_logprobs")
        assert x == y, (t, x, y)
        assert all(abs(lx[c] - ly[c]) < 1e-3 for c in lx), (t, lx, ly)
print("mmlu, crass: the same through faults (letters within 1e-3)")
PY
python3 - "$T/proxy.log" "$SECRET" <<'PY'
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
faults = {r["fault"] for r in log if r["fault"]}
assert faults >= {"500", "429", "drop", "cut", "stall"}, faults
assert all(r["key"] == "Bearer " + sys.argv[2] for r in log), "a request went without the key"
print(len(log), "requests through the proxy, faults:", sorted(faults))
PY
if grep -rl -- "$SECRET" "$T/faults" "$T/store.db"* "$T/faults.err" "$T/faults.table"; then
    fail "the API key was written to a file"
fi

# A server that is not llama-server and returns no log-probabilities:
# HHH is refused before anything runs; generation goes through
# /v1/completions, with token counts estimated and flagged.
python3 "$IE_SOURCE_DIR/tests/reference/fault_proxy.py" "$T/plain.port" \
    "http://127.0.0.1:$PORT" "$T/plain.log" 0 plain &
PLAIN=$!
for _ in $(seq 100); do [ -e "$T/plain.port" ] && break; sleep 0.1; done
QPORT="$(cat "$T/plain.port")"
expect_status 2 "$IE_BIN" run --model "http://127.0.0.1:$QPORT" --tasks crass,hhh --data "$T/data" \
    --limit 2 --no-store --out "$T/plain"
expect_stderr "HHH needs next-token log-probabilities"
# The same server with log-probabilities: the letters' from the first token's top five.
python3 "$IE_SOURCE_DIR/tests/reference/fault_proxy.py" "$T/oai.port" \
    "http://127.0.0.1:$PORT" "$T/oai.log" 0 openai &
OAI=$!
for _ in $(seq 100); do [ -e "$T/oai.port" ] && break; sleep 0.1; done
"$IE_BIN" run --model "http://127.0.0.1:$(cat "$T/oai.port")" --tasks crass --data "$T/data" \
    --limit 2 --no-store --quiet --out "$T/oai" >/dev/null || fail "the run through /v1 failed"
kill "$OAI"
letters "$T/oai" "$T/local" crass
[ ! -e "$T/plain/results.json" ] || fail "a refused run wrote results"
"$IE_BIN" run --model "http://127.0.0.1:$QPORT" --tasks crass --data "$T/data" --limit 2 \
    --no-store --quiet --out "$T/plain" >/dev/null || fail "generation through /v1/completions failed"
python3 - "$T/plain" "$T/http" <<'PY'
import json, os, sys
res = json.load(open(os.path.join(sys.argv[1], "results.json")))
assert res["model"]["token_counts"] == "estimate", res["model"]
assert "server" not in res["model"]["server"], res["model"]["server"]
def recs(d):
    return [json.loads(l) for l in open(os.path.join(d, "samples", "crass.jsonl"))]
# /v1/completions gives text without token boundaries, so it cannot end
# where the score settled: its outputs run on past the native ones.
for full, cut in zip(recs(sys.argv[1]), recs(sys.argv[2])):
    assert full["output"].strip().startswith(cut["output"].strip()), (full, cut)
    assert full["correct"] == cut["correct"], (full, cut)
print("plain server: HHH refused, CRASS through /v1/completions identical")
PY
kill "$PLAIN"

# A server that is not there: a clear error, exit 1 or 2, nothing written.
kill "$PROXY"
wait "$PROXY" 2>/dev/null || true
PROXY=
expect_status 1 "$IE_BIN" run --model "http://127.0.0.1:$PPORT" --tasks mmlu --data "$T/data" \
    --limit 1 --no-store --out "$T/gone"
expect_stderr "127.0.0.1:$PPORT"
[ ! -e "$T/gone/results.json" ] || fail "a run without a server wrote results"
echo "e2e_http: ok"
