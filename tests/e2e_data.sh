# Verified data in every run: each file a task reads is hashed and checked
# against its published (pinned) hash; results list every file's hash. An
# altered file is refused before anything is written, unless
# --allow-modified-data, which the results and the boards show.
source "$(dirname "$0")/lib.sh"

MODEL="$(test_model llama-spm llama-spm)"
run() { "$IE_BIN" run --model "$MODEL" --tasks mmlu --limit 1 --threads 2 --no-store "$@"; }

# The real data: every file read is verified.
expect_status 0 run --data "$INSTRUCTEVAL_DATA" --quiet --out "$T/clean"
python3 - "$T/clean/results.json" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))
files = res["data_files"]
assert len(files) == 114, len(files)  # 57 test and 57 dev files
assert all(v["check"] == "verified" and len(v["sha256"]) == 64 for v in files.values()), files
assert "mmlu/test/abstract_algebra_test.csv" in files
assert len(res["config"]["data_sha256"]) == 64 and res["config"]["allow_modified_data"] is False
print("114 data files verified")
PY

# One answer of one test file changed: still well-formed, no longer MMLU.
mkdir -p "$T/data"
cp -r "$INSTRUCTEVAL_DATA/mmlu" "$T/data/mmlu"
F="$T/data/mmlu/test/abstract_algebra_test.csv"
python3 - "$F" <<'PY'
import sys
p = sys.argv[1]
b = open(p, "rb").read()
i = b.index(b"\n") - 1                      # the first row's answer letter
while b[i:i + 1] == b"\r":
    i -= 1
assert b[i:i + 1] in (b"A", b"B", b"C", b"D"), b[i - 5:i + 2]
b = b[:i] + (b"A" if b[i:i + 1] != b"A" else b"B") + b[i + 1:]
open(p, "wb").write(b)
PY
expect_status 2 run --data "$T/data" --quiet --out "$T/refused"
expect_stderr "data file '$F' is not the published one"
expect_stderr "--allow-modified-data"
[ ! -e "$T/refused/results.json" ] && [ ! -e "$T/refused/samples" ] ||
    fail "a refused run wrote files"

expect_status 0 run --data "$T/data" --allow-modified-data --out "$T/allowed"
grep -q "modified data: 1 file differs from the published ones" "$T/stdout" ||
    fail "the boards do not say the data was modified: $(cat "$T/stdout")"
python3 - "$T/allowed/results.json" "$T/clean/results.json" <<'PY'
import json, sys
res, clean = (json.load(open(p)) for p in sys.argv[1:])
files = res["data_files"]
bad = [k for k, v in files.items() if v["check"] != "verified"]
assert bad == ["mmlu/test/abstract_algebra_test.csv"], bad
assert files[bad[0]]["check"] == "modified"
assert res["config"]["allow_modified_data"] is True
assert res["config"]["data_sha256"] != clean["config"]["data_sha256"]
print("the altered file is named, the rest verified")
PY
echo "e2e_data: ok"
