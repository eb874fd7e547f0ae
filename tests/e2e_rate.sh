# People in the loop: `instructeval rate` on a real IMPACT run, with keys
# piped in (a skip, a back at each prompt, a quit, help and a wrong key,
# then a second session that resumes and finishes), at a pseudo-terminal
# (one key press each, the terminal put back on exit and on SIGINT), and
# from CSV and JSON files; a bad file is refused whole, naming file and
# line. `analyze --agreement` is checked against exact, within-one,
# Spearman and quadratic-weighted kappa computed here from their
# definitions, from the stored ratings and the judge's scores.
source "$(dirname "$0")/lib.sh"

WRITER="$(test_model llama-spm llama-spm)"
JUDGE="$(test_model judge-bpe llama-bpe --seed 7)"
S="$T/s.db"

"$IE_BIN" run --model "$WRITER" --judge "$JUDGE" --tasks impact --data "$IE_SOURCE_DIR/tests/data" \
    --limit 1 --threads 2 --quiet --store "$S" --out "$T/run" >/dev/null
RUN="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["run"]["id"])' \
    "$T/run/results.json")"
SAMPLES="$T/run/samples/impact.jsonl"
# The answers' ids in the run's order, the order `rate` asks them in.
mapfile -t ID < <(python3 -c 'import json, sys
for l in open(sys.argv[1]): print(json.loads(l)["id"])' "$SAMPLES")
[ "${#ID[@]}" -eq 4 ] || fail "expected 4 IMPACT answers, got ${#ID[@]}"

rate() { "$IE_BIN" rate "$RUN" --store "$S" "$@"; }

# ratings RATER: the stored "item relevance coherence" lines of RATER.
ratings() {
    python3 - "$S" "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for item, rel, coh in db.execute("SELECT item, relevance, coherence FROM ratings"
                                 " WHERE rater = ? ORDER BY item", (sys.argv[2],)):
    print(item, rel, coh)
PY
}

expect_ratings() {
    local rater="$1" want
    shift
    want="$(printf '%s\n' "$@" | LC_ALL=C sort)"
    [ "$(ratings "$rater" | LC_ALL=C sort)" = "$want" ] || {
        ratings "$rater" >&2
        fail "$rater's stored ratings differ from: $*"
    }
}

# Session 1: answer 0 gets 4 and 5; 1 is skipped; 2 gets 3 and 2, then
# 'b' at answer 3 goes back to 2, which gets 5 and 4; 'q' at answer 3.
printf '45s3 2b54q' | rate --rater alice >"$T/out1"
grep -q "^2 of 4 rated by alice" "$T/out1" || fail "session 1 summary: $(tail -1 "$T/out1")"
grep -q "rated before: rate it again" "$T/out1" || fail "going back did not show answer 2 again"
expect_ratings alice "${ID[0]} 4 5" "${ID[2]} 5 4"

# Session 2 asks only answers 1 and 3: '?' prints the keys, 'x' is no
# key, 'b' at coherence asks this answer's relevance again.
printf '?x3b21\n55\n' | rate --rater alice >"$T/out2"
grep -q "2 of them rated by alice" "$T/out2" || fail "session 2 did not resume"
[ "$(grep -c '^==== ' "$T/out2")" -eq 2 ] || fail "session 2 showed other than 2 answers"
grep -q "5 excellent" "$T/out2" || fail "'?' printed no help"
grep -q "the keys are" "$T/out2" || fail "a wrong key was not refused"
grep -q "All 4 answers are rated by alice" "$T/out2" || fail "session 2 did not finish"
expect_ratings alice "${ID[0]} 4 5" "${ID[1]} 2 1" "${ID[2]} 5 4" "${ID[3]} 5 5"
: | rate --rater alice >"$T/out3"
grep -q "All 4 answers are rated by alice" "$T/out3" || fail "a finished rater was asked again"

# The end of the input quits; a relevance alone stores nothing.
CAT="$(python3 -c 'import json, sys; print(json.loads(open(sys.argv[1]).readline())["subtask"])' \
    "$SAMPLES")"
printf '3' | rate --rater carol --category "$CAT" >"$T/out4"
grep -q "0 of 1 rated by carol" "$T/out4" || fail "--category: $(tail -1 "$T/out4")"
expect_ratings carol
expect_status 2 rate --category Poetry
expect_stderr "no IMPACT answers of category 'Poetry'"
expect_status 2 rate --rater "$(printf 'a\tb')"
expect_stderr "control character"

# A pseudo-terminal: each key is taken without Enter, and the terminal's
# modes are back when the command ends, and when SIGINT ends it.
python3 - "$IE_BIN" "$RUN" "$S" "$CAT" <<'PY'
import os, pty, select, signal, subprocess, sys, termios, time
ie, run, store, cat = sys.argv[1:]

def wait_for(fd, text, buf):
    end = time.time() + 30
    while text not in buf[0]:
        r, _, _ = select.select([fd], [], [], max(0, end - time.time()))
        if not r:
            sys.exit("FAIL: the terminal never showed %r; it shows %r" % (text, buf[0][-300:]))
        try:
            buf[0] += os.read(fd, 65536).decode("utf-8", "replace")
        except OSError:
            sys.exit("FAIL: the command ended before %r: %r" % (text, buf[0][-300:]))

def start(rater):
    master, slave = pty.openpty()
    p = subprocess.Popen([ie, "rate", run, "--store", store, "--rater", rater, "--category", cat],
                         stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    return p, master, slave

def cooked(fd):
    lflag = termios.tcgetattr(fd)[3]
    return lflag & termios.ICANON and lflag & termios.ECHO

p, m, s = start("tty")
buf = [""]
wait_for(m, "relevance 1-5", buf)
os.write(m, b"4")
wait_for(m, "coherence 1-5", buf)
os.write(m, b"2")
wait_for(m, "All 1 answers are rated by tty", buf)
assert p.wait(30) == 0, "rate at a terminal failed"
assert cooked(s), "the terminal was left in raw mode"
os.close(m); os.close(s)

p, m, s = start("tty2")
buf = [""]
wait_for(m, "relevance 1-5", buf)
assert not cooked(s), "no raw mode at a terminal"
p.send_signal(signal.SIGINT)
assert p.wait(30) == -signal.SIGINT, "SIGINT did not end rate"
assert cooked(s), "SIGINT left the terminal in raw mode"
os.close(m); os.close(s)
print("pseudo-terminal: one key each, modes restored")
PY
expect_ratings tty "${ID[0]} 4 2"

# Files: bob from a CSV (CRLF, a quoted id, columns in another order);
# dan and erin from a JSON array with a rater member each.
printf 'coherence,id,relevance\r\n4,%s,4\r\n1,"%s",2\r\n3,%s,5\r\n2,%s,1\r\n' \
    "${ID[0]}" "${ID[1]}" "${ID[2]}" "${ID[3]}" >"$T/bob.csv"
rate --rater bob --from "$T/bob.csv" >"$T/out5"
grep -q "Stored 4 ratings of run $RUN from $T/bob.csv, by bob" "$T/out5" || fail "$(cat "$T/out5")"
expect_ratings bob "${ID[0]} 4 4" "${ID[1]} 2 1" "${ID[2]} 5 3" "${ID[3]} 1 2"
cat >"$T/more.json" <<EOF
[{"id": "${ID[0]}", "relevance": 3, "coherence": 5, "rater": "dan"},
 {"id": "${ID[3]}", "relevance": 1, "coherence": 1, "rater": "dan"},
 {"id": "${ID[2]}", "relevance": 5, "coherence": 4, "rater": "erin"}]
EOF
rate --from "$T/more.json" >/dev/null
expect_ratings dan "${ID[0]} 3 5" "${ID[3]} 1 1"
expect_ratings erin "${ID[2]} 5 4"

# A bad file stores nothing and names each problem's line.
python3 - "$S" >"$T/before" <<'PY'
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT * FROM ratings ORDER BY 1, 2, 3").fetchall())
PY
printf 'id,relevance,coherence\n%s,3,3\n%s,7,2\nno-such/9,2,2\n%s,1,1\n' \
    "${ID[1]}" "${ID[2]}" "${ID[1]}" >"$T/bad.csv"
expect_status 2 rate --rater frank --from "$T/bad.csv"
expect_stderr "$T/bad.csv:3: relevance must be a whole number from 1 to 5, not '7'"
expect_stderr "$T/bad.csv:4: 'no-such/9' is not an IMPACT answer of run $RUN"
expect_stderr "$T/bad.csv:5: '${ID[1]}' is rated by 'frank' a second time (first at line 2)"
expect_stderr "nothing of $T/bad.csv was stored"
printf '{"id": "%s", "relevance": 2, "coherence": 2}\n{"id": "%s", "relevance": 2}\n' \
    "${ID[0]}" "${ID[1]}" >"$T/bad.jsonl"
expect_status 2 rate --rater frank --from "$T/bad.jsonl"
expect_stderr "$T/bad.jsonl:2: no coherence"
printf '[{"id": "%s", "relevance": 2, "coherence": 2.5}]' "${ID[0]}" >"$T/bad.json"
expect_status 2 rate --rater frank --from "$T/bad.json"
expect_stderr "$T/bad.json: index 0 of the array: coherence must be a whole number from 1 to 5"
printf 'id,relevance,coherence,score\n' >"$T/cols.csv"
expect_status 2 rate --from "$T/cols.csv"
expect_stderr "$T/cols.csv:1: unknown column 'score'"
python3 - "$S" >"$T/after" <<'PY'
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT * FROM ratings ORDER BY 1, 2, 3").fetchall())
PY
cmp -s "$T/before" "$T/after" || fail "a refused file changed the stored ratings"

# The agreement, against figures computed here from the definitions.
"$IE_BIN" analyze --agreement "$RUN" --store "$S" --json >"$T/agreement.json"
python3 - "$T/agreement.json" "$SAMPLES" "$S" <<'PY'
import itertools, json, math, sqlite3, sys
got = json.load(open(sys.argv[1]))
recs = [json.loads(l) for l in open(sys.argv[2])]
db = sqlite3.connect(sys.argv[3])
rows = db.execute("SELECT item, rater, relevance, coherence FROM ratings").fetchall()
modes = ("relevance", "coherence")
cat = {r["id"]: r["subtask"] for r in recs}
judge = {r["id"]: {m: r["scores"][m]["reference"] for m in modes} for r in recs}
human = {}
for item, rater, rel, coh in rows:
    human.setdefault(item, {})[rater] = {"relevance": rel, "coherence": coh}

def ranks(v):
    order = sorted(range(len(v)), key=lambda i: v[i])
    r = [0.0] * len(v)
    i = 0
    while i < len(v):
        j = i
        while j + 1 < len(v) and v[order[j + 1]] == v[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return r

def pearson(a, b):
    ma, mb = sum(a) / len(a), sum(b) / len(b)
    sab = sum((x - ma) * (y - mb) for x, y in zip(a, b))
    saa = sum((x - ma) ** 2 for x in a)
    sbb = sum((y - mb) ** 2 for y in b)
    return None if saa == 0 or sbb == 0 else sab / math.sqrt(saa * sbb)

def kappa(x, y):
    n = len(x)
    w = lambda i, j: (i - j) ** 2 / 16
    obs = sum(w(a, b) for a, b in zip(x, y)) / n
    exp = sum(w(i, j) * x.count(i) / n * y.count(j) / n
              for i in range(1, 6) for j in range(1, 6))
    return None if exp == 0 else 1 - obs / exp

def stat(pairs):
    if not pairs:
        return {"n": 0, "exact": None, "within_one": None, "spearman": None, "kappa": None}
    x, y = [p[0] for p in pairs], [p[1] for p in pairs]
    n = len(pairs)
    return {"n": n, "exact": sum(a == b for a, b in pairs) / n,
            "within_one": sum(abs(a - b) <= 1 for a, b in pairs) / n,
            "spearman": pearson(ranks(x), ranks(y)), "kappa": kappa(x, y)}

def table(pairs_of):
    out = {}
    for m in modes:
        out[m] = {"all": stat([p for item in cat for p in pairs_of(item, m)])}
        for c in dict.fromkeys(r["subtask"] for r in recs):
            out[m][c] = stat([p for item in cat if cat[item] == c for p in pairs_of(item, m)])
    return out

def judge_pairs(item, m):
    return [(judge[item][m], v[m]) for v in human.get(item, {}).values()
            if v[m] is not None and judge[item][m] is not None]

def human_pairs(item, m):
    by = human.get(item, {})
    return [(by[a][m], by[b][m]) for a, b in itertools.combinations(sorted(by), 2)
            if by[a][m] is not None and by[b][m] is not None]

want = {"judge_human": table(judge_pairs), "human_human": table(human_pairs),
        "raters": sorted({r[1] for r in rows}), "rated_items": len(human)}

def same(a, b, where):
    if isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), "%s: keys %s, want %s" % (where, list(b), list(a))
        for k in a:
            same(a[k], b[k], where + "." + k)
    elif isinstance(a, float) or isinstance(b, float):
        assert a is not None and b is not None and math.isclose(a, b, rel_tol=1e-8, abs_tol=1e-9), \
            "%s: %r, want %r" % (where, b, a)
    else:
        assert a == b, "%s: %r, want %r" % (where, b, a)

same(want, got, "agreement")
# Enough ratings that the figures are not all trivial.
assert got["judge_human"]["relevance"]["all"]["n"] == 12, got["judge_human"]["relevance"]["all"]
assert got["human_human"]["coherence"]["all"]["n"] > 4
assert got["judge_human"]["relevance"]["all"]["spearman"] is not None
print("agreement matches the definitions:", json.dumps(got["judge_human"]["relevance"]["all"]))
PY

"$IE_BIN" analyze --agreement "$RUN" --store "$S" >"$T/agreement.txt"
grep -q "^The judge against people, relevance" "$T/agreement.txt" || fail "no judge table"
grep -q "^People against each other, coherence" "$T/agreement.txt" || fail "no people table"
grep -Eq "^  all +12 " "$T/agreement.txt" || fail "no 'all' row of 12 pairs"
expect_status 2 "$IE_BIN" analyze --agreement "$RUN" --by model --store "$S"

# A run without IMPACT answers.
"$IE_BIN" run --model "$WRITER" --tasks hhh --data "$IE_SOURCE_DIR/tests/data" --limit 1 \
    --threads 2 --quiet --store "$S" >/dev/null
expect_status 2 "$IE_BIN" rate latest --store "$S"
expect_stderr "has no IMPACT answers"
expect_status 2 "$IE_BIN" analyze --agreement latest --store "$S"
expect_stderr "has no IMPACT answers"
echo "e2e_rate: ok"
