# Downloads that survive: mirrors in the data-folder layout (a local folder,
# and over HTTP), transfers broken mid-file and resumed (in one command and
# across commands), a file changed on the server between attempts, the
# progress bar on a terminal, and data-status.
source "$(dirname "$0")/lib.sh"

FIXTURES="$IE_SOURCE_DIR/tests/data"
DL="$T/dl"     # a data folder made by hand: no record of hashes
mkdir -p "$DL"
for d in mmlu bbh crass humaneval; do cp -r "$INSTRUCTEVAL_DATA/$d" "$DL/"; done
for d in drop hhh impact; do cp -r "$FIXTURES/$d" "$DL/"; done
ALL="mmlu bbh drop crass humaneval hhh impact"

same_as_mirror() { # same_as_mirror MIRROR DATA
    for d in $ALL; do
        diff -r -x '.*' "$1/$d" "$2/$d" || fail "$2/$d differs from the mirror's"
    done
}
no_leftovers() {
    [ -z "$(ls -A "$1/.partial" | grep -v '^\.lock$')" ] ||
        { ls -la "$1/.partial"; fail "downloads left in $1/.partial"; }
    ls -a "$1" | grep -q '^\.download' && fail "a staging folder was left in $1"
    return 0
}

# A local folder in the data-folder layout.
expect_status 0 "$IE_BIN" download --data "$T/d1" --mirror "$DL" --quiet
same_as_mirror "$DL" "$T/d1"
no_leftovers "$T/d1"
expect_status 0 "$IE_BIN" verify --data "$T/d1"

# Another machine's data folder as the mirror: its record vouches for the
# files no hash is pinned for, so a changed one is refused.
cp -r "$T/d1" "$T/m2"
expect_status 0 "$IE_BIN" download hhh impact --data "$T/d2" --mirror "$T/m2" --quiet
cmp "$T/m2/impact/data.jsonl" "$T/d2/impact/data.jsonl"
printf '\n' >>"$T/m2/impact/data.jsonl"
expect_status 2 "$IE_BIN" download impact --data "$T/d3" --mirror "$T/m2" --quiet
expect_stderr "impact/data.jsonl: sha256"
expect_stderr "but the mirror's instructeval-sha256.tsv says"
[ ! -e "$T/d3/impact" ] || fail "a refused file was installed"
no_leftovers "$T/d3"
expect_status 2 "$IE_BIN" download mmlu --data "$T/d3" --mirror "$T/nonexistent"
expect_stderr "the mirror '$T/nonexistent' is neither a URL nor a folder"

# The same layout over HTTP, from a server that breaks transfers on request.
python3 "$IE_SOURCE_DIR/tests/mirror_server.py" "$DL" "$T/port" "$T/log" "$T/cut" \
    2>"$T/server.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
[ -s "$T/port" ] || fail "the mirror server did not start"
URL="http://127.0.0.1:$(cat "$T/port")"

# Two transfers break half-way; each is resumed within the command.
printf '/mmlu/test/professional_law_test.csv\n/hhh/helpful/task.json\n' >"$T/cut"
expect_status 0 "$IE_BIN" download --data "$T/d4" --mirror "$URL" --quiet
same_as_mirror "$DL" "$T/d4"
no_leftovers "$T/d4"
[ ! -s "$T/cut" ] || fail "the server was not asked for every cut file"
for p in /mmlu/test/professional_law_test.csv /hhh/helpful/task.json; do
    grep -q "^GET $p range=bytes=[1-9][0-9]*- if-range=\"[0-9a-f]*\" -> 206" "$T/log" ||
        { cat "$T/log"; fail "$p was not resumed with a guarded range request"; }
done

# Broken with no retries: the command fails, the part stays, and the next
# command asks only for the rest.
printf '/bbh/snarks.json\n' >"$T/cut"
expect_status 1 "$IE_BIN" download bbh --data "$T/d5" --mirror "$URL" --retries 0 --quiet
expect_stderr "cannot download $URL/bbh/snarks.json"
[ ! -e "$T/d5/bbh" ] || fail "a failed download installed files"
PART="$(ls "$T/d5/.partial/"*snarks.json.part)"
SIZE="$(stat -c %s "$INSTRUCTEVAL_DATA/bbh/snarks.json")"
[ "$(stat -c %s "$PART")" -eq $((SIZE / 2)) ] || fail "the part holds $(stat -c %s "$PART") bytes"
: >"$T/log"
expect_status 0 "$IE_BIN" download bbh --data "$T/d5" --mirror "$URL" --quiet
grep -q "^GET /bbh/snarks.json range=bytes=$((SIZE / 2))- .* -> 206" "$T/log" ||
    { cat "$T/log"; fail "the second command did not resume the part"; }
# The files the first command had finished were not fetched again.
[ "$(grep -c '^GET /bbh/' "$T/log")" -lt 27 ] || fail "finished files were fetched again"
diff -r "$DL/bbh" "$T/d5/bbh"
no_leftovers "$T/d5"

# The file changed on the server between attempts: the stale part is not
# spliced onto the new file; the whole new file is fetched.
printf '/impact/data.jsonl\n' >"$T/cut"
expect_status 1 "$IE_BIN" download impact --data "$T/d6" --mirror "$URL" --retries 0 --quiet
python3 - "$DL/impact/data.jsonl" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
rec = json.loads(lines[0]); rec["instruction"] = "A changed instruction " * 40
open(sys.argv[1], "w").write("\n".join([json.dumps(rec)] + lines[1:]) + "\n")
PY
: >"$T/log"
expect_status 0 "$IE_BIN" download impact --data "$T/d6" --mirror "$URL" --quiet
grep -q '^GET /impact/data.jsonl range=bytes=.* if-range="[0-9a-f]*" -> 200' "$T/log" ||
    { cat "$T/log"; fail "the changed file was not fetched whole"; }
cmp "$DL/impact/data.jsonl" "$T/d6/impact/data.jsonl" || fail "a stale part was spliced in"

# One download into a folder at a time.
python3 -c '
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(30)' "$T/d6/.partial/.lock" "$T/locked" &
HOLDER=$!
for _ in $(seq 100); do [ -e "$T/locked" ] && break; sleep 0.1; done
expect_status 1 "$IE_BIN" download impact --data "$T/d6" --mirror "$URL" --quiet
expect_stderr "another download is running into '$T/d6/.partial'"
kill $HOLDER

# On a terminal each file gets a progress bar.
python3 - "$IE_BIN" "$T/d7" "$URL" >"$T/tty.out" <<'PY'
import os, pty, sys
ie, data, url = sys.argv[1:4]
pid, fd = pty.fork()
if pid == 0:
    os.execv(ie, [ie, "download", "humaneval", "--data", data, "--mirror", url])
out = b""
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status))
PY
grep -q 'humaneval/HumanEval.jsonl.gz *\[##############################\] 100%' "$T/tty.out" ||
    { cat "$T/tty.out"; fail "no progress bar on a terminal"; }
expect_status 0 "$IE_BIN" download humaneval --data "$T/d8" --mirror "$URL"
grep -q '\[#' "$T/stderr" && fail "a progress bar was drawn where stderr is not a terminal"

# data-status: present, missing, incomplete, modified, unverified.
expect_status 0 "$IE_BIN" data-status --data "$T/d4"
for d in $ALL; do
    grep -q "^$d  *present " "$T/stdout" || { cat "$T/stdout"; fail "$d is not present"; }
done
grep -q '^mmlu  *present  *172  *172  *0  *0  *0$' "$T/stdout" || fail "mmlu's counts"
rm "$T/d4/bbh/snarks.json"
printf 'x' >>"$T/d4/hhh/honest/task.json"
rm -r "$T/d4/drop"
expect_status 0 "$IE_BIN" data-status bbh hhh drop --data "$T/d4"
grep -q '^bbh  *incomplete  *27  *26  *1  *0  *0$' "$T/stdout" || { cat "$T/stdout"; fail bbh; }
grep -q '^hhh  *modified  *4  *3  *0  *1  *0$' "$T/stdout" || { cat "$T/stdout"; fail hhh; }
grep -q '^drop  *missing ' "$T/stdout" || { cat "$T/stdout"; fail drop; }
expect_status 0 "$IE_BIN" data-status drop hhh --data "$DL"
grep -q '^drop  *unverified  *1  *0  *0  *0  *1$' "$T/stdout" || { cat "$T/stdout"; fail drop; }
expect_status 2 "$IE_BIN" verify drop --data "$DL"
grep -q "unverified drop/drop_dataset_dev.json" "$T/stdout" || fail "verify: unverified"
expect_status 0 "$IE_BIN" data-status hhh --data "$T/d4" --json
python3 - "$T/stdout" "$T/d4" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["data"] == sys.argv[2], doc["data"]
(hhh,) = doc["datasets"]
assert hhh["dataset"] == "hhh" and hhh["state"] == "modified", hhh
states = {f["path"]: f for f in hhh["files"]}
honest = states["hhh/honest/task.json"]
assert honest["state"] == "changed" and honest["source"] == "download", honest
assert honest["sha256"] != honest["expected"], honest
assert states["hhh/helpful/task.json"]["state"] == "ok"
PY
expect_status 2 "$IE_BIN" data-status nosuch
expect_stderr "unknown dataset 'nosuch'"
echo "e2e_mirror: ok"
