# Resume after kill -9: a multi-task run (MMLU, CRASS, HHH) is killed with
# SIGKILL at several points and run again each time with the same command;
# the final results' scores and every samples file are byte-identical to a
# clean run's, and the store's counters prove that no request that had
# been saved was sent to the model again. A finished command run again is
# answered entirely from the store.
source "$(dirname "$0")/lib.sh"

MODEL="$(test_model resume-llama-spm llama-spm --layers 4 --dim 128)"
FIXTURES="$IE_SOURCE_DIR/tests/data"
mkdir -p "$T/data"
for d in mmlu crass; do ln -s "$INSTRUCTEVAL_DATA/$d" "$T/data/$d"; done
ln -s "$FIXTURES/hhh" "$T/data/hhh"

RUN=("$IE_BIN" run --model "$MODEL" --tasks mmlu,crass,hhh --data "$T/data" --limit 3
    --threads 2 --quiet)
run() { # run STORE OUT [options]
    "${RUN[@]}" --store "$1" --out "$2" "${@:3}"
}

# rows STORE: cached requests committed to the store.
rows() {
    python3 - "$1" <<'PY'
import sqlite3, sys
try:
    db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True, timeout=5)
    print(db.execute("select count(*) from requests").fetchone()[0])
except sqlite3.Error:
    print(0)
PY
}

run "$T/clean.db" "$T/clean" >/dev/null
total="$(rows "$T/clean.db")"
[ "$total" -gt 100 ] || fail "the clean run cached only $total requests"

# Kill the run at several points: each time once it has saved something
# new, after a further random pause. The last attempt runs to the end.
kills=0
for attempt in 1 2 3 4 5; do
    before="$(rows "$T/resume.db")"
    # The binary itself in the background, so that $! is its own pid.
    "${RUN[@]}" --store "$T/resume.db" --out "$T/resume" >/dev/null 2>"$T/attempt$attempt.err" &
    pid=$!
    while kill -0 "$pid" 2>/dev/null && [ "$(rows "$T/resume.db")" -le "$before" ]; do
        sleep 0.05
    done
    sleep "0.$((RANDOM % 4))"
    if kill -9 "$pid" 2>/dev/null; then
        wait "$pid" 2>/dev/null || true
        # The kill may land after the run wrote its results, while it
        # ends the run in the store and exits: it had done all its work.
        # Any earlier kill must leave no results.json.
        if [ -e "$T/resume/results.json" ]; then
            [ "$(rows "$T/resume.db")" -eq "$total" ] ||
                fail "a killed run left results.json with $(rows "$T/resume.db") of $total requests"
            rm "$T/resume/results.json" # the next attempt ends the run
        fi
        kills=$((kills + 1))
        echo "attempt $attempt killed with $(rows "$T/resume.db") of $total requests saved"
    else
        wait "$pid" || fail "attempt $attempt failed: $(cat "$T/attempt$attempt.err")"
        break
    fi
done
[ "$kills" -ge 2 ] || fail "only $kills kills landed before the run finished"
saved="$(rows "$T/resume.db")"
if [ ! -e "$T/resume/results.json" ]; then
    run "$T/resume.db" "$T/resume" >/dev/null
fi
[ "$(rows "$T/resume.db")" -eq "$total" ] || fail "the resumed store holds other requests"

for f in "$T"/clean/samples/*.jsonl; do
    cmp "$f" "$T/resume/samples/$(basename "$f")" ||
        fail "$(basename "$f") differs between the clean and the resumed run"
done
python3 - "$T/clean/results.json" "$T/resume/results.json" "$T/resume.db" "$total" <<'PY'
import json, sqlite3, sys
clean, res = (json.load(open(p)) for p in sys.argv[1:3])
total = int(sys.argv[4])
assert clean["scores"] == res["scores"], "scores differ after resume"
assert res["run"]["resumed"], "the rerun did not continue the killed run"
db = sqlite3.connect(sys.argv[3])
runs = db.execute("select id, status, requests_sent from runs").fetchall()
assert len(runs) == 1, runs
rid, status, sent = runs[0]
assert status == "finished", status
# Every request was sent exactly once over all attempts: the attempts'
# committed sends add up to the number of distinct requests.
assert sent == total, (sent, total)
n = sum(c["requests"] for c in res["counts"].values())
assert n == total, (n, total)
final_cached = sum(c["requests_cached"] for c in res["counts"].values())
assert final_cached > 0, "the final attempt answered nothing from the store"
print("resume: %d requests, each sent once; %d answered from the store at the end" % (total, final_cached))
PY

# The same command again: all from the store, the same records.
start="$(date +%s.%N)"
run "$T/clean.db" "$T/again" >/dev/null
python3 - "$T/again/results.json" "$T/clean/results.json" "$start" <<'PY'
import json, sys, time
again, clean = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for task, c in again["counts"].items():
    assert c["requests_sent"] == 0 and c["requests_cached"] == c["requests"], (task, c)
assert again["scores"] == clean["scores"]
assert not again["run"]["resumed"]
print("rerun answered from the store in %.1f s" % (time.time() - float(sys.argv[3])))
PY
for f in "$T"/clean/samples/*.jsonl; do
    cmp "$f" "$T/again/samples/$(basename "$f")" || fail "a cached rerun changed $(basename "$f")"
done

# The results without a store, with prefix reuse off, are the same too:
# prompts are cut alike whatever the cache holds.
"${RUN[@]}" --no-store --no-prefix-reuse --out "$T/plain" >/dev/null
for f in "$T"/clean/samples/*.jsonl; do
    cmp "$f" "$T/plain/samples/$(basename "$f")" ||
        fail "$(basename "$f") differs without prefix reuse"
done
echo "e2e_resume: ok"
