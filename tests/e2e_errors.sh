# Bad input gets a clear error, exit status 2 (1 for evaluation errors), and
# no results file.
source "$(dirname "$0")/lib.sh"

MODEL="$(test_model llama-spm llama-spm)"
run() { "$IE_BIN" run --model "$MODEL" --tasks mmlu --quiet --threads 2 "$@"; }

expect_status 2 run --data "$T/nowhere" --out "$T/o1"
expect_stderr "$T/nowhere/mmlu/test"
expect_stderr "instructeval download"
[ ! -e "$T/o1/results.json" ] || fail "results.json written after a failure"

# A malformed CSV row names its file and line.
mkdir -p "$T/bad/mmlu/dev" "$T/bad/mmlu/test"
printf 'q,a,b,c,d,A\n%.0s' 1 2 3 4 5 >"$T/bad/mmlu/dev/x_dev.csv"
printf 'q1,a,b,c,d,B\n"q2\nstill q2",a,b,c,d,C\nq3,a,b,c,A\n' >"$T/bad/mmlu/test/x_test.csv"
expect_status 2 run --data "$T/bad" --out "$T/o2"
expect_stderr "x_test.csv:4: expected 6 columns"
[ ! -e "$T/o2/results.json" ] || fail "results.json written after a failure"
printf 'q1,a,b,c,d,E\n' >"$T/bad/mmlu/test/x_test.csv"
expect_status 2 run --data "$T/bad"
expect_stderr "x_test.csv:1: answer 'E' is not A, B, C or D"

expect_status 2 "$IE_BIN" run --model "$T/missing.gguf" --tasks mmlu
expect_stderr "$T/missing.gguf"
echo "not a model" >"$T/fake.gguf"
expect_status 2 "$IE_BIN" run --model "$T/fake.gguf" --tasks mmlu
expect_stderr "is not a GGUF model file"
expect_status 2 run --tasks nosuchtask
expect_stderr "unknown task 'nosuchtask'"
expect_status 2 "$IE_BIN" run --tasks mmlu
expect_stderr "--model is required"
expect_status 2 "$IE_BIN" run --model "$MODEL" --tasks mmlu --limit zero
expect_stderr "--limit takes a whole number"
expect_status 2 "$IE_BIN" frobnicate
expect_status 2 "$IE_BIN" mkmodel --vocab "$T/missing" --out "$T/m.gguf"
expect_stderr "$T/missing"

# --help works on the command and on every command it lists, and documents
# the exit status; a command's help is made from its option table, which
# --help also checks (a repeated option aborts).
expect_status 0 "$IE_BIN" --help
CMDS="$(sed -n '/^Commands:/,/^$/s/^  \([a-z-]*\) .*/\1/p' "$T/stdout")"
[ "$(echo "$CMDS" | wc -w)" -ge 17 ] || fail "the command list: $CMDS"
for cmd in "" $CMDS; do
    expect_status 0 "$IE_BIN" $cmd --help
    grep -q "Exit status" "$T/stdout" || fail "'$cmd --help' does not document exit status"
done
# Every option 'run --help' names is one run takes (and the reverse holds by
# construction): an unknown one is refused before anything else.
expect_status 0 "$IE_BIN" run --help
for opt in $(grep -o '^  --[a-z-]*' "$T/stdout"); do
    "$IE_BIN" run $opt 2>&1 | grep -q "unrecognized option\|unknown option" &&
        fail "run --help names $opt, which run does not take"
done

# A context too small for the prompts is an evaluation error in the samples, not a crash.
mkdir -p "$T/tiny/mmlu/dev" "$T/tiny/mmlu/test"
printf 'q,a,b,c,d,A\n%.0s' 1 2 3 4 5 >"$T/tiny/mmlu/dev/x_dev.csv"
printf 'q1,a,b,c,d,B\n' >"$T/tiny/mmlu/test/x_test.csv"
# The run still writes everything, and its exit status says requests failed.
expect_status 1 run --data "$T/tiny" --ctx 16 --out "$T/o3"
expect_stderr "1 requests failed: mmlu 1"
grep -q '"error":"prompt of' "$T/o3/samples/mmlu.jsonl" || fail "no per-sample error recorded"
[ -e "$T/o3/results.json" ] || fail "a run with failed requests wrote no results"
echo "e2e_errors: ok"
