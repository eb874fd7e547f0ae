# Many models in one store: two mkmodel models run every board's tasks on
# small subsets; `leaderboard` shows the three boards in the reference's
# columns with each run's numbers from results.json; `compare` gives per
# task and subtask differences whose counts are the per-sample records';
# `tag` changes a run's tags; `--shots` sweeps and records the count.
source "$(dirname "$0")/lib.sh"

A="$(test_model llama-spm llama-spm)"
B="$(test_model boards-b llama-spm --seed 5)"
JUDGE="$(test_model judge-bpe llama-bpe --seed 7)"
DB="$T/store.db"

# One data folder with the real files and the hand-made ones of the
# datasets that are not shared.
mkdir -p "$T/data"
for d in mmlu bbh crass humaneval; do ln -s "$INSTRUCTEVAL_DATA/$d" "$T/data/$d"; done
for d in hhh impact drop; do ln -s "$IE_SOURCE_DIR/tests/data/$d" "$T/data/$d"; done

run() {
    local model="$1" name="$2" out="$3"
    shift 3
    "$IE_BIN" run --model "$model" --judge "$JUDGE" --data "$T/data" --store "$DB" \
        --tasks mmlu,bbh,drop,crass,humaneval,hhh,impact --limit 1 --threads 2 \
        --quiet --tag "model=$name" --out "$out" "$@" >/dev/null
}
run "$A" model-a "$T/a" --tag size=7B
run "$B" model-b "$T/b" --tag size=13B

# ---- leaderboard ----
expect_status 0 "$IE_BIN" leaderboard --store "$DB"
expect_stderr "no finished run at the reference settings"
"$IE_BIN" leaderboard --store "$DB" --all-settings --format csv >"$T/board.csv"
cat "$T/board.csv"
python3 - "$T/board.csv" "$T/a" "$T/b" <<'PY'
import csv, json, sys
rows = [r for r in csv.reader(open(sys.argv[1])) if r]
runs = {n: json.load(open(d + "/results.json")) for n, d in
        (("model-a", sys.argv[2]), ("model-b", sys.argv[3]))}
cols = {
    "Problem solving": ["MMLU", "BBH", "DROP", "CRASS", "HumanEval", "Average"],
    "Alignment": ["Harmless", "Helpful", "Honest", "Other", "Average"],
    "Writing (relevance | coherence)": ["Inf.Rel", "Inf.Coh", "Pro.Rel", "Pro.Coh",
        "Arg.Rel", "Arg.Coh", "Cre.Rel", "Cre.Coh", "Rel.", "Coh."],
}
def value(res, board, col):
    s = res["scores"]
    if board == "Problem solving":
        key = {"MMLU": "mmlu", "BBH": "bbh", "DROP": "drop", "CRASS": "crass",
               "HumanEval": "humaneval"}
        if col == "Average":
            return 100 * sum(s[k]["score"] for k in key.values()) / 5
        return 100 * s[key[col]]["score"]
    if board == "Alignment":
        sub = s["hhh"]["subtasks"]
        if col == "Average":
            return 100 * sum(sub[k]["score"] for k in sub) / 4
        return 100 * sub[col.lower()]["score"]
    cats = ["Informative", "Professional", "Argumentative", "Creative"]
    ref = s["impact"]["reference"]
    if col in ("Rel.", "Coh."):
        mode = "relevance" if col == "Rel." else "coherence"
        return sum(ref[mode]["categories"][c]["mean"] for c in cats) / 4
    cat = next(c for c in cats if c.startswith(col[:3]))
    mode = "relevance" if col.endswith("Rel") else "coherence"
    return ref[mode]["categories"][cat]["mean"]

seen = set()
header = None
for r in rows:
    if r[0] == "Board":
        header = r
        board = None
        continue
    board = r[0]
    want = ["Board", "Model", "Settings"] + (["Judge"] if board.startswith("Writing") else [])
    assert header == want + cols[board], (header, board)
    cells = dict(zip(header, r))
    res = runs[cells["Model"]]
    assert cells["Settings"] == "limit=1", cells
    dec = 1 if board != "Writing (relevance | coherence)" else 2
    for c in cols[board]:
        assert cells[c] == f"{value(res, board, c):.{dec}f}", (board, c, cells[c])
    seen.add((board, cells["Model"]))
assert len(seen) == 6, seen
print("leaderboard numbers equal results.json")
PY
"$IE_BIN" leaderboard --store "$DB" --all-settings --format md --sort model >"$T/board.md"
grep -q '^| Model | Settings | MMLU | BBH | DROP | CRASS | HumanEval | Average |$' "$T/board.md" \
    || { cat "$T/board.md"; fail "markdown board heading"; }
[ "$(grep -c '^| model-a' "$T/board.md")" -eq 3 ] || fail "model-a rows in markdown"
"$IE_BIN" leaderboard --store "$DB" --all-settings --format json --sort HHH >/dev/null 2>&1 \
    && fail "an unknown sort column was accepted"
"$IE_BIN" leaderboard --store "$DB" --all-settings --format json --sort Honest >"$T/board.json"
python3 - "$T/board.json" <<'PY'
import json, sys
lb = json.load(open(sys.argv[1]))
align = next(b for b in lb["boards"] if b["title"] == "Alignment")
i = align["columns"].index("Honest")
v = [r["values"][i] for r in align["rows"]]
assert v == sorted(v, reverse=True), v
assert all(set(r["runs"]) == {"hhh"} for r in align["rows"])
PY
"$IE_BIN" leaderboard --store "$DB" --all-settings --format html --out "$T/board.html"
grep -q '<table class="board sortable">' "$T/board.html" || fail "html board"
grep -qE 'https?://|src=' "$T/board.html" && fail "the html board loads something"
expect_status 2 "$IE_BIN" leaderboard --store "$DB" --format xml
expect_stderr "--format takes md, csv, json or html"

# ---- compare ----
id_a="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run"]["id"])' "$T/a/results.json")"
id_b="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run"]["id"])' "$T/b/results.json")"
"$IE_BIN" compare "$id_a" "$id_b" --store "$DB" >"$T/compare.txt"
cat "$T/compare.txt"
grep -q '^hhh ' "$T/compare.txt" || fail "compare printed no hhh row"
"$IE_BIN" compare "$id_a" "$id_b" --store "$DB" --json >"$T/compare.json"
"$IE_BIN" compare "$id_a" "$id_b" --store "$DB" --json >"$T/compare2.json"
cmp "$T/compare.json" "$T/compare2.json" || fail "compare is not deterministic"
python3 - "$T/compare.json" "$T/a" "$T/b" <<'PY'
import json, sys
cmp = json.load(open(sys.argv[1]))
def recs(d, task):
    return [json.loads(l) for l in open(f"{d}/samples/{task}.jsonl")]
def key(task, r):
    return f'{r["task_id"]}#{r["sample"]}' if task == "humaneval" else r["id"]
def val(task, r):
    if task == "humaneval":
        return float(r["passed"])
    if task == "impact":
        return (r["scores"]["relevance"]["reference"] + r["scores"]["coherence"]["reference"]) / 2
    return float(r["correct"])
res = {s: json.load(open(d + "/results.json")) for s, d in (("a", sys.argv[2]), ("b", sys.argv[3]))}
tasks = {r["task"] for r in cmp["rows"]}
assert tasks == {"mmlu", "bbh", "drop", "crass", "humaneval", "hhh", "impact"}, tasks
for row in cmp["rows"]:
    t, sub = row["task"], row["subtask"]
    ra = {key(t, r): r for r in recs(sys.argv[2], t)}
    rb = {key(t, r): r for r in recs(sys.argv[3], t)}
    grp = (lambda r: r["subtask"]) if t != "humaneval" else (lambda r: r["task_id"])
    keys = [k for k in ra if k in rb and (sub is None or grp(ra[k]) == sub)]
    assert row["n"] == len(keys), (t, sub, row["n"], len(keys))
    va = [val(t, ra[k]) for k in keys]
    vb = [val(t, rb[k]) for k in keys]
    if row["test"] == "mcnemar":
        assert row["a_only"] == sum(x > y for x, y in zip(va, vb)), (t, sub)
        assert row["b_only"] == sum(x < y for x, y in zip(va, vb)), (t, sub)
        assert abs(row["a"] - sum(va) / len(va)) < 1e-9
    if row["test"] == "none":
        # Too few items for a bootstrap: no interval, never significant.
        assert row["lo"] is None and row["p"] is None and not row["significant"], row
    else:
        assert row["lo"] <= row["diff"] <= row["hi"], row
        assert row["significant"] == (row["lo"] > 0 or row["hi"] < 0), row
    if sub is None:
        # The task's own row is its score on the items both ran: here all.
        for side in ("a", "b"):
            assert abs(row[side] - res[side]["scores"][t]["score"]) < 1e-6, (t, side, row)
print("compare counts match the samples")
PY
"$IE_BIN" compare "$id_a" "$id_a" --store "$DB" --json --tasks-only >"$T/self.json"
python3 - "$T/self.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["rows"]:
    assert r["subtask"] is None
    assert r["diff"] == 0 and r["lo"] == 0 and r["hi"] == 0 and r["p"] == 1, r
    assert not r["significant"]
PY
# All of HHH's eleven items: enough for the macro average's bootstrap.
"$IE_BIN" run --model "$A" --data "$T/data" --store "$DB" --tasks hhh --threads 2 --quiet \
    --out "$T/ha" >/dev/null
"$IE_BIN" run --model "$B" --data "$T/data" --store "$DB" --tasks hhh --threads 2 --quiet \
    --out "$T/hb" >/dev/null
"$IE_BIN" compare latest "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run"]["id"])' "$T/ha/results.json")" \
    --store "$DB" --json --tasks-only >"$T/hhh.json"
python3 - "$T/hhh.json" "$T/hb" "$T/ha" <<'PY'
import json, sys
[row] = json.load(open(sys.argv[1]))["rows"]
assert row["task"] == "hhh" and row["test"] == "bootstrap" and row["n"] == 11, row
for side, d in (("a", sys.argv[2]), ("b", sys.argv[3])):
    assert abs(row[side] - json.load(open(d + "/results.json"))["scores"]["hhh"]["score"]) < 1e-9
assert row["lo"] <= row["diff"] <= row["hi"] and 0 <= row["p"] <= 1, row
PY
expect_status 2 "$IE_BIN" compare "$id_a" --store "$DB"
expect_status 2 "$IE_BIN" compare "$id_a" 999 --store "$DB"
expect_stderr "no run 999"

# ---- tags ----
"$IE_BIN" tag "$id_a" --store "$DB" >"$T/tags"
[ "$(cat "$T/tags")" = "$(printf 'model=model-a\nsize=7B')" ] || { cat "$T/tags"; fail "tags"; }
"$IE_BIN" tag "$id_a" foundation=llama size= --store "$DB" >/dev/null
"$IE_BIN" tag "$id_a" --store "$DB" >"$T/tags"
[ "$(cat "$T/tags")" = "$(printf 'model=model-a\nfoundation=llama')" ] || { cat "$T/tags"; fail "retag"; }
expect_status 2 "$IE_BIN" tag "$id_a" "bad key=x" --store "$DB"
expect_stderr "a tag is KEY=VALUE"
expect_status 2 "$IE_BIN" run --model "$A" --tasks crass --tag novalue --no-store
expect_stderr "a tag is KEY=VALUE"

# ---- shots ----
# Prompts at every count follow the protocol's builders (the independent
# implementation in tests/reference), the test items unchanged.
for spec in mmlu:5 bbh:3 drop:3 crass:3; do
    task="${spec%%:*}"
    for n in $(seq 0 "${spec##*:}"); do
        "$IE_BIN" prompts --task "$task" --data "$T/data" --limit 2 --shots "$n" >"$T/p.ours"
        python3 "$IE_SOURCE_DIR/tests/reference/protocol_prompts.py" "$task" "$T/data" 2 "$n" \
            >"$T/p.ref"
        python3 "$IE_SOURCE_DIR/tests/reference/compare_jsonl.py" "$T/p.ref" "$T/p.ours" \
            task subtask id prompt label shots
    done
done
expect_status 2 "$IE_BIN" prompts --task crass --data "$T/data" --shots 4
expect_stderr "CRASS takes 0 to 3 shots, not 4"
expect_status 2 "$IE_BIN" run --model "$A" --tasks bbh --shots 4 --data "$T/data" --no-store \
    --quiet
expect_stderr "BBH takes 0 to 3 shots, not 4"
"$IE_BIN" run --model "$A" --data "$T/data" --store "$DB" --tasks mmlu,crass,hhh --limit 1 \
    --shots 0,3 --threads 2 --quiet --out "$T/sweep" >"$T/sweep.txt"
grep -q '^== shots 0 ==' "$T/sweep.txt" && grep -q '^== shots 3 ==' "$T/sweep.txt" \
    || fail "the sweep did not print both counts"
python3 - "$T/sweep" <<'PY'
import json, sys
for n in (0, 3):
    d = f"{sys.argv[1]}/shots-{n}"
    cfg = json.load(open(d + "/results.json"))["config"]
    assert cfg["shots"] == {"mmlu": n, "crass": n}, cfg["shots"]
    for t in ("mmlu", "crass"):
        for l in open(f"{d}/samples/{t}.jsonl"):
            assert json.loads(l)["shots"] == n
ids0 = [json.loads(l)["id"] for l in open(f"{sys.argv[1]}/shots-0/samples/mmlu.jsonl")]
ids3 = [json.loads(l)["id"] for l in open(f"{sys.argv[1]}/shots-3/samples/mmlu.jsonl")]
assert ids0 == ids3, "the counts ran different items"
PY
"$IE_BIN" leaderboard --store "$DB" --all-settings --format csv >"$T/board2.csv"
grep -q '^Problem solving,model-a,"limit=1, shots=0",' "$T/board2.csv" \
    || { cat "$T/board2.csv"; fail "no row of the zero-shot run"; }

# ---- analyze ----
"$IE_BIN" analyze --by shots --store "$DB" >"$T/shots.txt"
cat "$T/shots.txt"
"$IE_BIN" analyze --by shots --store "$DB" --json >"$T/shots.json"
python3 - "$T/shots.json" "$T/sweep" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
d = sys.argv[2]
got = {(s["model"], s["task"]): s for s in a["series"]}
assert set(got) == {("model-a", "mmlu"), ("model-a", "crass")}, set(got)
for t in ("mmlu", "crass"):
    s = got[("model-a", t)]
    r3 = {json.loads(l)["id"]: json.loads(l) for l in open(f"{d}/shots-3/samples/{t}.jsonl")}
    r0 = {json.loads(l)["id"]: json.loads(l) for l in open(f"{d}/shots-0/samples/{t}.jsonl")}
    res3 = json.load(open(f"{d}/shots-3/results.json"))
    res0 = json.load(open(f"{d}/shots-0/results.json"))
    assert s["counts"]["0"]["run"] == res0["run"]["id"]
    assert s["counts"]["3"]["run"] == res3["run"]["id"]
    # MMLU also ran at its reference count (5) in the first runs.
    assert [x["shots"] for x in s["differences"]] == ([3, 5] if t == "mmlu" else [3])
    diff = s["differences"][0]
    assert diff["shots"] == 3 and diff["baseline"] == 0 and diff["test"] == "mcnemar"
    assert diff["n"] == len(r3) == len(r0)
    assert diff["a_only"] == sum(r3[k]["correct"] and not r0[k]["correct"] for k in r3)
    assert diff["b_only"] == sum(r0[k]["correct"] and not r3[k]["correct"] for k in r3)
    assert abs(diff["a"] - res3["scores"][t]["score"]) < 1e-9
    assert abs(diff["b"] - res0["scores"][t]["score"]) < 1e-9
print("shot effects match the samples")
PY
"$IE_BIN" analyze --by tag:foundation --store "$DB" --all-settings --json >"$T/found.json"
python3 - "$T/found.json" "$T/a" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
res = json.load(open(sys.argv[2] + "/results.json"))
g = a["groups"]["foundation=llama (limit=1)"]
assert g["models"] == ["model-a"], g["models"]
for t in ("mmlu", "bbh", "drop", "crass", "humaneval", "hhh", "impact"):
    v = g["values"][t]
    assert v["n"] == 1 and abs(v["mean"] - res["scores"][t]["score"]) < 1e-9, t
    se = res["scores"][t]["stderr"]
    assert abs(v["hi"] - v["lo"] - 2 * 1.96 * se) < 1e-9, t
ps = g["values"]["Problem solving average"]
want = sum(res["scores"][t]["score"] for t in ("mmlu", "bbh", "drop", "crass", "humaneval")) / 5
assert abs(ps["mean"] - want) < 1e-9
assert a["untagged"] == ["model-b"], a["untagged"]
PY
expect_status 2 "$IE_BIN" analyze --by size --store "$DB"
expect_stderr "--by takes tag:KEY, model or shots"
echo "e2e_boards: ok"
