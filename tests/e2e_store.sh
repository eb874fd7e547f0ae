# The store under stress, through the real binary: two runs writing one
# store at once both finish with the same records as alone; a truncated
# store, a file of random bytes, a text file and another program's SQLite
# database are refused with a message naming the file (exit 2) and never
# give a number; a store locked by another process stops the run (exit 1)
# and leaves the store as it was; a full disk stops the run (exit 1), the
# store stays consistent, and once there is room the same command finishes
# with the results of a clean run. runs, show and export read it back.
source "$(dirname "$0")/lib.sh"

MODEL="$(test_model llama-spm llama-spm)"

run() { # run STORE OUT [options]
    "$IE_BIN" run --model "$MODEL" --tasks mmlu --data "$INSTRUCTEVAL_DATA" --limit 2 \
        --threads 1 --quiet --store "$1" --out "$2" "${@:3}"
}

integrity() { # integrity STORE: SQLite's own check of the whole file
    python3 - "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
r = db.execute("pragma integrity_check").fetchall()
assert r == [("ok",)], r
PY
}

# A clean run, alone, with prefix reuse off and no store: the reference.
"$IE_BIN" run --model "$MODEL" --tasks mmlu --data "$INSTRUCTEVAL_DATA" --limit 2 \
    --threads 1 --quiet --no-store --out "$T/ref" >/dev/null

# Two runs on one store at once.
run "$T/shared.db" "$T/a" --tag label=first >/dev/null 2>"$T/a.err" &
pa=$!
run "$T/shared.db" "$T/b" --tag label=second >/dev/null 2>"$T/b.err" &
pb=$!
wait "$pa" || fail "the first concurrent run failed: $(cat "$T/a.err")"
wait "$pb" || fail "the second concurrent run failed: $(cat "$T/b.err")"
cmp "$T/ref/samples/mmlu.jsonl" "$T/a/samples/mmlu.jsonl" || fail "concurrent run a differs"
cmp "$T/ref/samples/mmlu.jsonl" "$T/b/samples/mmlu.jsonl" || fail "concurrent run b differs"
integrity "$T/shared.db"

# runs, show and export read the store back.
"$IE_BIN" runs --store "$T/shared.db" >"$T/runs"
[ "$(grep -c finished "$T/runs")" -eq 2 ] || { cat "$T/runs"; fail "runs does not list two finished runs"; }
id="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run"]["id"])' "$T/a/results.json")"
"$IE_BIN" show "$id" --store "$T/shared.db" >"$T/show"
grep -q '^mmlu ' "$T/show" || { cat "$T/show"; fail "show printed no score table"; }
"$IE_BIN" export "$id" --store "$T/shared.db" --out "$T/exported"
cmp "$T/a/samples/mmlu.jsonl" "$T/exported/samples/mmlu.jsonl" || fail "export changed the samples"
cmp "$T/a/results.json" "$T/exported/results.json" || fail "export changed results.json"
expect_status 2 "$IE_BIN" show 999 --store "$T/shared.db"
expect_stderr "no run 999"

# Files that are not stores: refused, named, nothing written.
head -c 65536 /dev/urandom >"$T/random.db"
printf 'just some text\n' >"$T/text.db"
python3 -c 'import sqlite3,sys; d=sqlite3.connect(sys.argv[1]); d.execute("create table t(x)"); d.commit()' "$T/foreign.db"
cp "$T/shared.db" "$T/truncated.db"
truncate -s "$(($(stat -c %s "$T/truncated.db") / 2))" "$T/truncated.db"
for f in random text foreign truncated; do
    cp "$T/$f.db" "$T/$f.before"
    expect_status 2 run "$T/$f.db" "$T/o-$f"
    expect_stderr "$T/$f.db"
    [ ! -e "$T/o-$f/results.json" ] || fail "a run on the $f store wrote results"
    cmp "$T/$f.db" "$T/$f.before" || fail "the $f store was changed"
done
expect_stderr "truncated"

# A lock held by another process.
python3 - "$T/shared.db" "$T/locked" <<'PY' &
import os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("begin immediate")
open(sys.argv[2], "w").close()
time.sleep(30)
PY
locker=$!
while [ ! -e "$T/locked" ]; do sleep 0.05; done
expect_status 1 run "$T/shared.db" "$T/o-locked" --store-wait 1
expect_stderr "locked"
kill "$locker"
wait "$locker" 2>/dev/null || true
integrity "$T/shared.db"

# A full disk: the store on a small tmpfs, filled up but for a little room.
if [ "$(id -u)" -eq 0 ]; then wrap=(unshare -m); else wrap=(unshare -Urm); fi
mkdir -p "$T/small"
"${wrap[@]}" bash -euc '
    mount -t tmpfs -o size=1m tmpfs "$1"
    head -c 800000 /dev/zero >"$1/filler"
    shift
    "$@"
' _ "$T/small" bash -c '
    set +e
    "$0" run --model "$1" --tasks mmlu --data "$2" --limit 2 --threads 1 --quiet \
        --store "$3/store.db" --out "$4/o-full" 2>"$4/full.err"
    echo $? >"$4/full.status"
    python3 - "$3/store.db" <<PY >"$4/full.integrity" 2>&1
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("pragma integrity_check").fetchall())
PY
    rm "$3/filler"
    "$0" run --model "$1" --tasks mmlu --data "$2" --limit 2 --threads 1 --quiet \
        --store "$3/store.db" --out "$4/o-room" 2>"$4/room.err"
    echo $? >"$4/room.status"
' "$IE_BIN" "$MODEL" "$INSTRUCTEVAL_DATA" "$T/small" "$T"
[ "$(cat "$T/full.status")" -eq 1 ] || { cat "$T/full.err"; fail "a full disk did not stop the run with exit 1"; }
grep -q "full" "$T/full.err" || { cat "$T/full.err"; fail "the error does not say the disk is full"; }
grep -q "\[('ok',)\]" "$T/full.integrity" || { cat "$T/full.integrity"; fail "the store is not consistent after a full disk"; }
[ ! -e "$T/o-full/results.json" ] || fail "a run that hit a full disk wrote results"
[ "$(cat "$T/room.status")" -eq 0 ] || { cat "$T/room.err"; fail "the run did not finish once there was room"; }
cmp "$T/ref/samples/mmlu.jsonl" "$T/o-room/samples/mmlu.jsonl" || fail "the run after a full disk differs"
echo "e2e_store: ok"
