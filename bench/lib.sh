# Shared by the benchmarks: where things are, llama-bench's prompt rate,
# and the model of realistic shape for compute (weights, not attention,
# dominate). Sourced with HERE set to the repository root.
LLAMA="${IE_CACHE_DIR:-$HOME/.cache/instructeval}/llama.cpp-v0.4.0"
DATA="${INSTRUCTEVAL_DATA:-$HERE/../shared/data}"
BIN="$HERE/build/instructeval"

bench_model() { # bench_model OUT LAYERS: dim 1024, ff 2816, Q8_0 by llama-quantize
    "$BIN" mkmodel --vocab "$LLAMA/models/ggml-vocab-llama-spm.gguf" --out "$1.f16" \
        --layers "$2" --dim 1024 --heads 16 --kv-heads 16 --ff 2816 --f16 >/dev/null
    "$LLAMA/bin/llama-quantize" "$1.f16" "$1" Q8_0 >/dev/null 2>&1
    rm "$1.f16"
}

pp_rate() { # pp_rate MODEL [llama-bench options]: its prompt tokens per second
    "$LLAMA/bin/llama-bench" -m "$1" -n 0 -o json "${@:2}" 2>/dev/null |
        python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["avg_ts"])'
}
