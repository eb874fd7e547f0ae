# download and verify against a mirror served on loopback: the mirror holds
# the published files in the canonical addresses' layout (MMLU as its tar,
# DROP as its zip), built from the shared data and the hand-made fixtures.
source "$(dirname "$0")/lib.sh"

FIXTURES="$IE_SOURCE_DIR/tests/data"
M="$T/mirror"

python3 - "$INSTRUCTEVAL_DATA" "$FIXTURES" "$M" <<'PY'
import io, os, shutil, sys, tarfile, zipfile
data, fix, m = sys.argv[1:4]
def put(rel, src):
    os.makedirs(os.path.dirname(os.path.join(m, rel)), exist_ok=True)
    shutil.copyfile(src, os.path.join(m, rel))
os.makedirs(m + "/people.eecs.berkeley.edu/~hendrycks")
with tarfile.open(m + "/people.eecs.berkeley.edu/~hendrycks/data.tar", "w") as t:
    t.add(os.path.join(data, "mmlu", "README.txt"), "data/README.txt")
    for split in ("dev", "val", "test"):
        t.add(os.path.join(data, "mmlu", split), "data/" + split)
    extra = b"not used"
    info = tarfile.TarInfo("data/auxiliary_train/x.csv"); info.size = len(extra)
    t.addfile(info, io.BytesIO(extra))
for f in os.listdir(os.path.join(data, "bbh")):
    put("raw.githubusercontent.com/suzgunmirac/BIG-Bench-Hard/main/bbh/" + f,
        os.path.join(data, "bbh", f))
put("raw.githubusercontent.com/apergo-ai/CRASS-data-set/main/CRASS_FTM_main_data_set.csv",
    os.path.join(data, "crass", "CRASS_FTM_main_data_set.csv"))
put("github.com/openai/human-eval/raw/master/data/HumanEval.jsonl.gz",
    os.path.join(data, "humaneval", "HumanEval.jsonl.gz"))
os.makedirs(m + "/s3-us-west-2.amazonaws.com/allennlp/datasets/drop")
with zipfile.ZipFile(m + "/s3-us-west-2.amazonaws.com/allennlp/datasets/drop/drop_dataset.zip", "w") as z:
    z.write(os.path.join(fix, "drop", "drop_dataset_dev.json"), "drop_dataset/drop_dataset_dev.json")
    z.writestr("drop_dataset/drop_dataset_train.json", "{}")
    z.writestr("../escape.txt", "outside")
for s in ("harmless", "helpful", "honest", "other"):
    put("raw.githubusercontent.com/google/BIG-bench/main/bigbench/benchmark_tasks/hhh_alignment/"
        + s + "/task.json", os.path.join(fix, "hhh", s, "task.json"))
put("huggingface.co/datasets/declare-lab/InstructEvalImpact/resolve/main/data.jsonl",
    os.path.join(fix, "impact", "data.jsonl"))
PY

python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$M" >"$T/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 50); do
    PORT="$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$T/server.log" | head -1)"
    [ -n "$PORT" ] && break
    sleep 0.1
done
[ -n "$PORT" ] || fail "the mirror server did not start"
MIRROR="http://127.0.0.1:$PORT"

"$IE_BIN" download --data "$T/data" --mirror "$MIRROR" --quiet
for d in mmlu/dev mmlu/val mmlu/test bbh crass humaneval; do
    diff -r "$INSTRUCTEVAL_DATA/$d" "$T/data/$d" || fail "$d differs from the published files"
done
cmp "$FIXTURES/drop/drop_dataset_dev.json" "$T/data/drop/drop_dataset_dev.json"
cmp "$FIXTURES/impact/data.jsonl" "$T/data/impact/data.jsonl"
[ ! -e "$T/escape.txt" ] && [ ! -e "$T/data/escape.txt" ] || fail "an archive path escaped"
[ ! -e "$T/data/auxiliary_train" ] && [ ! -e "$T/data/drop/drop_dataset_train.json" ] ||
    fail "unmapped archive members were installed"
ls -a "$T/data" | grep -q '^\.download' && fail "a staging folder was left behind"

expect_status 0 "$IE_BIN" verify --data "$T/data"
grep -q "mmlu *172 of 172 files verified" "$T/stdout" || { cat "$T/stdout"; fail "mmlu verify"; }
grep -q "hhh *4 of 4 files verified" "$T/stdout" || fail "hhh verify"
[ "$("$IE_BIN" prompts --task mmlu --data "$T/data" | wc -l)" -eq 14042 ] || fail "MMLU prompts"

# A changed file is found by verify.
printf 'x' >>"$T/data/hhh/honest/task.json"
expect_status 2 "$IE_BIN" verify hhh --data "$T/data"
grep -q "CHANGED *hhh/honest/task.json" "$T/stdout" || fail "verify missed a changed file"
rm "$T/data/bbh/snarks.json"
expect_status 2 "$IE_BIN" verify bbh --data "$T/data"
grep -q "missing *bbh/snarks.json" "$T/stdout" || fail "verify missed a missing file"

# A corrupt download is refused and the installed files stay as they were.
cp "$T/data/humaneval/HumanEval.jsonl.gz" "$T/before.gz"
printf 'corrupt' >"$M/github.com/openai/human-eval/raw/master/data/HumanEval.jsonl.gz"
expect_status 2 "$IE_BIN" download humaneval --data "$T/data" --mirror "$MIRROR" --quiet
expect_stderr "humaneval/HumanEval.jsonl.gz: sha256"
cmp "$T/before.gz" "$T/data/humaneval/HumanEval.jsonl.gz" || fail "a refused download changed data"

# A missing file on the server is an error naming the address.
rm "$M/huggingface.co/datasets/declare-lab/InstructEvalImpact/resolve/main/data.jsonl"
expect_status 1 "$IE_BIN" download impact --data "$T/data" --mirror "$MIRROR" --quiet
expect_stderr "$MIRROR/huggingface.co/datasets/declare-lab/InstructEvalImpact/resolve/main/data.jsonl"
ls -a "$T/data" | grep -q '^\.download' && fail "a staging folder was left behind"
expect_status 2 "$IE_BIN" download nosuch --data "$T/data"
expect_stderr "unknown dataset 'nosuch'"
echo "e2e_download: ok"
