#!/usr/bin/env bash
# Seed corpora for the fuzz targets, made at test time from the real
# benchmark files ($INSTRUCTEVAL_DATA: MMLU, BBH, CRASS, HumanEval) and the
# hand-made fixtures of tests/data (DROP, HHH, IMPACT), each cut to a few
# KB so that the corpora stay small. Nothing here is committed: the folders
# are made under the build tree, one per target, fresh at every run.
#
# usage: seeds.sh OUT-DIR    (needs INSTRUCTEVAL_DATA and python3)
set -euo pipefail

OUT="${1:?usage: seeds.sh OUT-DIR}"
HERE="$(cd "$(dirname "$0")" && pwd)"
DATA="${INSTRUCTEVAL_DATA:-$HERE/../../../shared/data}"
FIXTURES="$HERE/../data"
for f in "$DATA/mmlu/test" "$DATA/bbh" "$DATA/crass" "$DATA/humaneval/HumanEval.jsonl.gz" \
    "$FIXTURES/drop" "$FIXTURES/hhh" "$FIXTURES/impact"; do
    [ -e "$f" ] || { echo "seeds.sh: no '$f' (set INSTRUCTEVAL_DATA)" >&2; exit 1; }
done
rm -rf "$OUT"
mkdir -p "$OUT"

# The cutting and joining is Python's: it knows CSV quotes and JSON.
python3 - "$DATA" "$FIXTURES" "$OUT" <<'EOF'
import gzip, json, os, sys

data, fixtures, out = sys.argv[1:4]
SEP = b"\x1e"  # FUZZ_SEP of fuzz_common.h: the parts of a several-file input


def seed(target, name, content):
    os.makedirs(os.path.join(out, target), exist_ok=True)
    with open(os.path.join(out, target, name), "wb") as f:
        f.write(content)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def csv_head(raw, limit):
    """The whole rows of raw in its first limit bytes: cut after a line
    break with an even number of quotes before it (outside any field)."""
    cut, quotes = 0, 0
    for i, b in enumerate(raw[:limit]):
        if b == 0x22:
            quotes += 1
        elif b == 0x0A and quotes % 2 == 0:
            cut = i + 1
    return raw[:cut] if cut else raw[:limit]


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, indent=1).encode()


# MMLU: a subject's dev file and the head of its test file (one with CRLF).
subjects = ["abstract_algebra", "global_facts", "high_school_physics", "world_religions"]
for s in subjects:
    dev = read(f"{data}/mmlu/dev/{s}_dev.csv")
    test = csv_head(read(f"{data}/mmlu/test/{s}_test.csv"), 1500)
    seed("fuzz_mmlu", s, dev + SEP + test)
    # The CSV reader's first byte: 0 is ',' with quoting.
    seed("fuzz_csv", "mmlu_" + s, b"\x00" + csv_head(test, 1000))
crass = read(f"{data}/crass/CRASS_FTM_main_data_set.csv")
crass_head = b"".join(crass.splitlines(keepends=True)[:12])
with_fourth = [l for l in crass.splitlines(keepends=True)[1:]
               if len(l.split(b";")) > 7 and l.split(b";")[7].strip()][:4]
seed("fuzz_crass", "head", crass_head)
seed("fuzz_crass", "four_options", crass.splitlines(keepends=True)[0] + b"".join(with_fourth))
seed("fuzz_csv", "crass", b"\x05" + csv_head(crass_head, 1000))  # ';', quotes as text

# BBH: task files cut to their three exemplars and a few items.
def bbh(name, n=6):
    d = json.loads(read(f"{data}/bbh/{name}.json"))
    d["examples"] = d["examples"][:n]
    return dumps(d)

seed("fuzz_bbh", "one", bbh("boolean_expressions"))
seed("fuzz_bbh", "three", SEP.join([bbh("date_understanding", 5), bbh("dyck_languages", 5),
                                    bbh("word_sorting", 5)]))
seed("fuzz_bbh", "two", SEP.join([bbh("penguins_in_a_table", 4), bbh("navigate", 5)]))

# HumanEval: its first problems as plain JSON lines (the target gzips
# them) and one gzipped file as it is.
he = gzip.decompress(read(f"{data}/humaneval/HumanEval.jsonl.gz")).splitlines(keepends=True)
seed("fuzz_humaneval", "first3", b"".join(he[:3]))
seed("fuzz_humaneval", "gzipped", gzip.compress(b"".join(he[3:5]), mtime=0))
problems = [json.loads(l) for l in he[:6]]
seed("fuzz_samples", "canonical", b"".join(
    json.dumps({"task_id": p["task_id"], "completion": p["canonical_solution"]}).encode() + b"\n"
    for p in problems))
seed("fuzz_samples", "results", b"".join(
    json.dumps({"task_id": p["task_id"], "completion": "    return 1\n\n\ndef x():\n pass\n",
                "result": "passed", "passed": i % 2 == 0}).encode() + b"\n"
    for i, p in enumerate(problems[:3] * 2)))
seed("fuzz_jsonl", "humaneval", b"".join(he[:2]))

# DROP: the fixture's first sections; its answers as spans for the metric.
drop = json.loads(read(f"{fixtures}/drop/drop_dataset_dev.json"))
keys = list(drop)
seed("fuzz_drop", "first", dumps({k: drop[k] for k in keys[:2]}))
seed("fuzz_drop", "rest", dumps({k: drop[k] for k in keys[2:5]}))

def spans(a):
    if a.get("number"):
        return [a["number"]]
    if a.get("spans"):
        return a["spans"]
    d = a.get("date", {})
    return [" ".join(x for x in (d.get("day"), d.get("month"), d.get("year")) if x)]

qas = [qa for sec in drop.values() for qa in sec["qa_pairs"]]
for i, qa in enumerate(qas[:8]):
    parts = [spans(qa["answer"])] + [spans(v) for v in qa.get("validated_answers", [])][:3]
    seed("fuzz_drop_metric", f"qa{i}", SEP.join("\n".join(p).encode() for p in parts))
seed("fuzz_drop_metric", "numbers", "3.0\nthe 1,000 men\n".encode() + SEP
     + "3\n1000 men".encode() + SEP + "three\nÉcole".encode())

# HHH: each subset's first examples, the four joined.
hhh = []
for sub in ("harmless", "helpful", "honest", "other"):
    d = json.loads(read(f"{fixtures}/hhh/{sub}/task.json"))
    d["examples"] = d["examples"][:2]
    hhh.append(dumps(d))
seed("fuzz_hhh", "four", SEP.join(hhh))
seed("fuzz_hhh", "one", hhh[0])

# IMPACT: its prompt lines.
impact = read(f"{fixtures}/impact/data.jsonl").splitlines(keepends=True)
seed("fuzz_impact", "head", b"".join(impact[:6]))
seed("fuzz_impact", "tail", b"".join(impact[-6:]))
seed("fuzz_jsonl", "impact", b"".join(impact[:4]))

# Stored sample records as compare reads them, for each kind of item.
def lines(recs):
    return b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in recs)

few = [{"id": f"abstract_algebra/{i}", "subtask": "abstract_algebra", "prompt": "Q?\nAnswer:",
        "shots": 5, "output": " B", "label": "B", "correct": i % 2 == 0} for i in range(4)]
he_recs = [{"task_id": f"HumanEval/{i // 2}", "sample": i % 2, "completion": "    return 1\n",
            "result": "passed", "passed": i % 3 == 0} for i in range(4)]
imp = [{"id": f"Informative/{i}", "subtask": "Informative",
        "scores": {"relevance": {"reference": 4, "strict": 4},
                   "coherence": {"reference": 5 - i, "strict": 0}}} for i in range(3)]
for name, recs in (("fewshot", few), ("humaneval", he_recs), ("impact", imp)):
    seed("fuzz_items", name, lines(recs))
    seed("fuzz_jsonl", "records_" + name, lines(recs))

# Judge reviews: the shapes a judge writes its score in.
for i, review in enumerate([
        "The answer is relevant and clear.\nScore: 4",
        "I would rate it 10/10, but by the rubric: 3.",
        "Relevance: 4.5 out of 5; coherence x3 -> 2",
        "no digits at all", "5\n\n1", "Rating: [[2]]"]):
    seed("fuzz_judge", f"review{i}", review.encode())
EOF
