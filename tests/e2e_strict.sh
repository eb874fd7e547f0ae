# Every loader refuses malformed data with the file and line (or JSON
# position), exit status 2, and nothing written: truncated files, an
# unclosed quote, invalid UTF-8, wrong column counts, missing fields, empty
# splits, too few exemplars and repeated ids.
source "$(dirname "$0")/lib.sh"

MODEL="$(test_model llama-spm llama-spm)"
D="$INSTRUCTEVAL_DATA"

# refuse TASK WANT: a run on $T/d refuses it, says WANT, writes nothing.
refuse() {
    local task="$1" want="$2"
    rm -rf "$T/out"
    expect_status 2 "$IE_BIN" run --model "$MODEL" --judge "$MODEL" --tasks "$task" \
        --data "$T/d" --no-store --quiet --allow-modified-data --out "$T/out"
    expect_stderr "$want"
    [ ! -e "$T/out/results.json" ] && [ -z "$(ls "$T/out/samples" 2>/dev/null)" ] \
        || fail "$task: files written after '$want'"
}
fresh() { rm -rf "$T/d"; mkdir -p "$T/d/$1"; }

# MMLU: one subject, its real files altered.
mmlu() {
    fresh mmlu/dev
    mkdir -p "$T/d/mmlu/test"
    cp "$D/mmlu/dev/anatomy_dev.csv" "$T/d/mmlu/dev/"
    cp "$D/mmlu/test/anatomy_test.csv" "$T/d/mmlu/test/"
}
n="$(python3 -c 'import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1]))) + 1)' "$D/mmlu/test/anatomy_test.csv")"
mmlu; printf '"Where does this quote end?,A,B,C,D,A\n' >>"$T/d/mmlu/test/anatomy_test.csv"
refuse mmlu "anatomy_test.csv:$n: unterminated quoted field"
mmlu; printf 'Bad \xff\xfe bytes,A,B,C,D,A\n' >>"$T/d/mmlu/test/anatomy_test.csv"
refuse mmlu "anatomy_test.csv:$n: column 1 is not valid UTF-8"
mmlu; printf 'Five,columns,only,here,A\n' >>"$T/d/mmlu/test/anatomy_test.csv"
refuse mmlu "anatomy_test.csv:$n: expected 6 columns"
mmlu; printf 'q,a,b,c,d,F\n' >>"$T/d/mmlu/test/anatomy_test.csv"
refuse mmlu "anatomy_test.csv:$n: answer 'F' is not A, B, C or D"
mmlu; : >"$T/d/mmlu/dev/anatomy_dev.csv"
refuse mmlu "anatomy_dev.csv: 0 exemplar rows, MMLU's prompts take 5"
mmlu; head -3 "$D/mmlu/dev/anatomy_dev.csv" >"$T/d/mmlu/dev/anatomy_dev.csv"
refuse mmlu "anatomy_dev.csv: 3 exemplar rows, MMLU's prompts take 5"
mmlu; : >"$T/d/mmlu/test/anatomy_test.csv"
refuse mmlu "anatomy_test.csv: no questions"

# CRASS: a row of bytes that are not UTF-8.
fresh crass
(head -3 "$D/crass/CRASS_FTM_main_data_set.csv"; printf '9;x;Bad \xff premise;q;a;b;c;\n') \
    >"$T/d/crass/CRASS_FTM_main_data_set.csv"
refuse crass "CRASS_FTM_main_data_set.csv:4: not valid UTF-8"

# BBH: truncated, too few examples, a missing field.
fresh bbh
head -c 300 "$D/bbh/navigate.json" >"$T/d/bbh/navigate.json"
refuse bbh "navigate.json:"
printf '{"examples": [{"input": "a", "target": "b"}]}' >"$T/d/bbh/navigate.json"
refuse bbh "navigate.json: expected \"examples\", an array of more than 3 examples"
printf '{"examples": [{"input": "a", "target": "b"}, {"input": "a", "target": "b"}, {"input": "a", "target": "b"}, {"input": "a"}]}' \
    >"$T/d/bbh/navigate.json"
refuse bbh "navigate.json"

# HumanEval: a truncated archive.
fresh humaneval
head -c 3000 "$D/humaneval/HumanEval.jsonl.gz" >"$T/d/humaneval/HumanEval.jsonl.gz"
refuse humaneval "HumanEval.jsonl.gz"

# HumanEval: a problem given twice.
python3 - "$D/humaneval/HumanEval.jsonl.gz" "$T/d/humaneval/HumanEval.jsonl.gz" <<'PY'
import gzip, sys
lines = gzip.open(sys.argv[1], "rt", encoding="utf-8").readlines()
gzip.open(sys.argv[2], "wt", encoding="utf-8").writelines(lines[:3] + lines[:1])
PY
refuse humaneval "HumanEval.jsonl.gz: problem 4 repeats the task id 'HumanEval/0'"

# The hand-made formats: HHH, DROP and IMPACT cut short.
F="$IE_SOURCE_DIR/tests/data"
fresh hhh
cp -r "$F/hhh/." "$T/d/hhh/"
head -c 200 "$F/hhh/honest/task.json" >"$T/d/hhh/honest/task.json"
refuse hhh "honest/task.json:"
fresh drop
head -c 500 "$F/drop/drop_dataset_dev.json" >"$T/d/drop/drop_dataset_dev.json"
refuse drop "drop_dataset_dev.json:"
# Two questions with one query id would be one sample.
fresh drop
python3 - "$F/drop/drop_dataset_dev.json" "$T/d/drop/drop_dataset_dev.json" "$T/want" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
sections = list(doc)
first = doc[sections[0]]["qa_pairs"][0]["query_id"]
doc[sections[-1]]["qa_pairs"][-1]["query_id"] = first
json.dump(doc, open(sys.argv[2], "w"))
print(sections[-1], first, sections[0], file=open(sys.argv[3], "w"))
PY
read -r last id first <"$T/want"
refuse drop "drop_dataset_dev.json: section '$last': query_id '$id' repeats one of section '$first'"
fresh impact
(head -2 "$F/impact/data.jsonl"; printf '{"Category": "Informative", "Defin') \
    >"$T/d/impact/data.jsonl"
refuse impact "data.jsonl:3: invalid JSON"
echo "e2e_strict: ok"
