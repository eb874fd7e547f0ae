# Shared helpers of the end-to-end test scripts: a private temporary folder,
# assertions that say what failed, and a random-weight model made once per
# build with `instructeval mkmodel`.
set -euo pipefail

: "${IE_BIN:?IE_BIN must name the instructeval binary}"
: "${INSTRUCTEVAL_DATA:?INSTRUCTEVAL_DATA must name the benchmark data}"
: "${IE_VOCAB_DIR:?IE_VOCAB_DIR must name the ggml-vocab folder}"
: "${IE_TEST_TMP:=/tmp/instructeval-tests}"

mkdir -p "$IE_TEST_TMP"
T="$(mktemp -d "$IE_TEST_TMP/$(basename "$0" .sh).XXXXXX")"
trap 'rm -rf "$T"' EXIT
# Each script gets a store of its own (the default one under XDG_DATA_HOME),
# so no test is answered by another's cached requests.
export XDG_DATA_HOME="$T/data-home"

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# expect_status WANT CMD...: runs CMD, keeps its stderr in $T/stderr.
expect_status() {
    local want="$1" got=0
    shift
    "$@" >"$T/stdout" 2>"$T/stderr" || got=$?
    [ "$got" -eq "$want" ] || {
        cat "$T/stderr" >&2
        fail "'$*' exited $got, expected $want"
    }
}

expect_stderr() {
    grep -qF -- "$1" "$T/stderr" || {
        cat "$T/stderr" >&2
        fail "stderr does not say '$1'"
    }
}

# test_model NAME VOCAB [mkmodel options]: path of a model made once.
test_model() {
    local name="$1" vocab="$2"
    shift 2
    local path="$IE_TEST_TMP/$name.gguf"
    if [ ! -f "$path" ]; then
        # Tests run in parallel: each writes its own copy, the rename is atomic.
        "$IE_BIN" mkmodel --vocab "$IE_VOCAB_DIR/ggml-vocab-$vocab.gguf" --out "$path.$$" "$@"
        mv "$path.$$" "$path"
    fi
    echo "$path"
}

# check_prompts TASK DATA COUNT: `instructeval prompts` gives COUNT prompts,
# identical to the independent implementation in tests/reference.
check_prompts() {
    local task="$1" data="$2" count="$3"
    "$IE_BIN" prompts --task "$task" --data "$data" >"$T/$task.ours.jsonl"
    [ "$(wc -l <"$T/$task.ours.jsonl")" -eq "$count" ] || fail "expected $count $task prompts"
    python3 "$IE_SOURCE_DIR/tests/reference/protocol_prompts.py" "$task" "$data" >"$T/$task.ref.jsonl"
    python3 "$IE_SOURCE_DIR/tests/reference/compare_jsonl.py" "$T/$task.ref.jsonl" \
        "$T/$task.ours.jsonl" task subtask id prompt label shots
}
