# The report: a store with two mkmodel models (HHH in full, tagged sizes;
# MMLU and CRASS at two shot counts; IMPACT with a judge) gives one HTML
# file that headless Chromium loads with no console message and no
# network request, showing the boards, the charts and the samples.
source "$(dirname "$0")/lib.sh"

command -v chromium >/dev/null || fail "chromium is not installed (./setup.sh installs it)"
A="$(test_model llama-spm llama-spm)"
B="$(test_model boards-b llama-spm --seed 5)"
JUDGE="$(test_model judge-bpe llama-bpe --seed 7)"
DB="$T/store.db"
mkdir -p "$T/data"
for d in mmlu crass; do ln -s "$INSTRUCTEVAL_DATA/$d" "$T/data/$d"; done
for d in hhh impact; do ln -s "$IE_SOURCE_DIR/tests/data/$d" "$T/data/$d"; done

common=(--data "$T/data" --store "$DB" --threads 2 --quiet)
"$IE_BIN" run --model "$A" --tasks hhh "${common[@]}" --tag model=model-a --tag size=7B >/dev/null
"$IE_BIN" run --model "$B" --tasks hhh "${common[@]}" --tag model=model-b --tag size=13B >/dev/null
"$IE_BIN" run --model "$A" --tasks mmlu,crass --limit 1 --shots 0,3 "${common[@]}" >/dev/null
"$IE_BIN" run --model "$A" --judge "$JUDGE" --tasks impact --limit 1 "${common[@]}" >/dev/null

# People's ratings of the IMPACT answers, for the agreement tables.
python3 - "$DB" >"$T/ratings.csv" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print("id,relevance,coherence")
for (rec,) in db.execute("select record from samples where task = 'impact' order by seq"):
    r = json.loads(rec)
    print(f'{r["id"]},{r["scores"]["relevance"]["reference"]},3')
PY
"$IE_BIN" rate latest --from "$T/ratings.csv" --rater ann --store "$DB" >/dev/null

expect_status 2 "$IE_BIN" report --store "$DB"
expect_stderr "--out FILE.html is required"
"$IE_BIN" report --store "$DB" --out "$T/report.html" --title 'Two <models>'
grep -q '<title>Two &lt;models&gt;</title>' "$T/report.html" || fail "the title is not escaped"
mkdir -p "$T/check"
# Scores by task, HHH by subset, IMPACT twice, two shot charts, size: 7.
python3 "$IE_SOURCE_DIR/tests/report_check.py" "$T/report.html" "$T/check" 7

grep -q 'Judge and human agreement' "$T/report.html" || fail "no agreement section"
python3 - "$T/report.html" <<'PY'
import re, sys
page = open(sys.argv[1], encoding="utf-8").read()
sec = page[page.index("Judge against people"):page.index("People against each other")]
# ann gave the judge's own relevance: every relevance pair agrees exactly.
row = re.search(r"<td>relevance</td><td>all</td><td class=\"num\">(\d+)</td>"
                r"<td class=\"num\">([0-9.]+)</td>", sec)
assert row and row.group(1) == "4" and row.group(2) == "1.00", sec[:400]
PY
# The browser's data: every run, every task, records as the store has them.
python3 - "$T/report.html" "$DB" <<'PY'
import html, json, re, sqlite3, sys
page = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<script type="application/json" id="samples-data">(.*?)</script>', page, re.S)
data = json.loads(m.group(1))
db = sqlite3.connect(sys.argv[2])
want = {(r, t): n for r, t, n in db.execute(
    "select run_id, task, count(*) from samples group by run_id, task")}
got = {(g["run"], g["task"]): g for g in data["samples"]}
assert set(got) == set(want), (set(got), set(want))
for k, g in got.items():
    assert g["total"] == want[k] and len(g["records"]) == min(want[k], 200), k
    stored = [json.loads(r) for (r,) in db.execute(
        "select record from samples where run_id = ? and task = ? order by seq", k)]
    assert g["records"] == stored[:len(g["records"])], k
PY
# A subset of runs, and a run that does not exist.
"$IE_BIN" report 1 2 --store "$DB" --out "$T/two.html" --max-samples 3
python3 - "$T/two.html" <<'PY'
import json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
data = json.loads(re.search(r'id="samples-data">(.*?)</script>', page, re.S).group(1))
assert [r["id"] for r in data["runs"]] == [2, 1], data["runs"]
assert all(len(g["records"]) <= 4 for g in data["samples"])  # 3 over 4 subsets, rounded up
PY
expect_status 2 "$IE_BIN" report 99 --store "$DB" --out "$T/none.html"
[ ! -e "$T/none.html" ] || fail "a failed report left a file"
echo "e2e_report: ok"
