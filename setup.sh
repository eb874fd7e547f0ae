#!/usr/bin/env bash
# Set-up for instructeval on Debian 12: system packages, the pinned llama.cpp
# (built once into a per-user cache), and the instructeval build itself.
# Safe to run again: every step is skipped when its result is already there.
#
# usage: ./setup.sh [cpu|cuda|vulkan|metal]   llama.cpp's back-end (default cpu);
# each is built into a cache folder of its own, and instructeval against it.
set -euo pipefail

GPU="${1:-cpu}"
case "$GPU" in
    cpu) GGML_GPU_FLAGS=() SUFFIX="" ;;
    cuda) GGML_GPU_FLAGS=(-DGGML_CUDA=ON) SUFFIX="-cuda" ;;
    vulkan) GGML_GPU_FLAGS=(-DGGML_VULKAN=ON) SUFFIX="-vulkan" ;;
    metal) GGML_GPU_FLAGS=(-DGGML_METAL=ON) SUFFIX="-metal" ;;
    *) echo "setup: unknown back-end '$GPU' (cpu, cuda, vulkan or metal)" >&2; exit 2 ;;
esac

LLAMA_NPM_PKG="node-llama-cpp@3.21.1"
LLAMA_TAG="v0.4.0"
LLAMA_COMMIT="80fb11ac"
CACHE="${IE_CACHE_DIR:-$HOME/.cache/instructeval}"
LLAMA_PREFIX="$CACHE/llama.cpp-$LLAMA_TAG$SUFFIX"
HERE="$(cd "$(dirname "$0")" && pwd)"
JOBS="$(nproc 2>/dev/null || echo 2)"

say() { printf 'setup: %s\n' "$*" >&2; }

install_packages() {
    local pkgs=(build-essential cmake pkg-config git ca-certificates
        libcurl4-openssl-dev libjansson-dev libsqlite3-dev zlib1g-dev
        libarchive-dev libseccomp-dev libcmocka-dev clang libclang-rt-dev)
    local missing=()
    # Node.js may come from another source than Debian (its npm then conflicts
    # with Debian's), so these are wanted only where the command is missing.
    command -v npm >/dev/null || missing+=(npm)
    # The GPU back-ends' own toolkits: Vulkan's are Debian packages; CUDA's
    # toolkit (nvcc) comes from NVIDIA or Debian's non-free section.
    [ "$GPU" != vulkan ] || pkgs+=(libvulkan-dev glslc)
    command -v python3 >/dev/null || missing+=(python3)
    # The report's test loads the page in a real browser.
    command -v chromium >/dev/null || missing+=(chromium)
    for p in "${pkgs[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("$p")
    done
    if [ "${#missing[@]}" -eq 0 ]; then return; fi
    say "installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# llama.cpp comes as a git bundle inside the npm package; the release tag is
# what we pin, the commit is checked so a changed package cannot slip through.
build_llama() {
    if [ -f "$LLAMA_PREFIX/lib/pkgconfig/llama.pc" ] && [ -d "$LLAMA_PREFIX/models" ] &&
        "$LLAMA_PREFIX/bin/llama-server" --version >/dev/null 2>&1; then
        say "llama.cpp $LLAMA_TAG already in $LLAMA_PREFIX"
        return
    fi
    local work
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' RETURN
    say "fetching $LLAMA_NPM_PKG"
    (cd "$work" && npm pack --silent "$LLAMA_NPM_PKG" >/dev/null && tar xzf node-llama-cpp-*.tgz)
    git clone -q "$work/package/llama/gitRelease.bundle" "$work/llama.cpp"
    (cd "$work/llama.cpp" && git checkout -q "$LLAMA_TAG" 2>/dev/null || true)
    local head
    head="$(git -C "$work/llama.cpp" rev-parse HEAD)"
    case "$head" in
        "$LLAMA_COMMIT"*) ;;
        *) say "error: llama.cpp bundle is at $head, expected $LLAMA_COMMIT"; exit 1 ;;
    esac
    if [ "$GPU" = cuda ] && ! command -v nvcc >/dev/null; then
        say "error: the cuda back-end needs the CUDA toolkit's nvcc on PATH"
        exit 1
    fi
    say "building llama.cpp $LLAMA_TAG, $GPU back-end ($JOBS jobs)"
    cmake -S "$work/llama.cpp" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
        -DBUILD_SHARED_LIBS=ON -DGGML_NATIVE=OFF -DLLAMA_CURL=OFF \
        -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=ON \
        -DLLAMA_BUILD_SERVER=ON -DCMAKE_INSTALL_PREFIX="$LLAMA_PREFIX.tmp" \
        -DCMAKE_INSTALL_RPATH='$ORIGIN/../lib' ${GGML_GPU_FLAGS[@]+"${GGML_GPU_FLAGS[@]}"} >/dev/null
    cmake --build "$work/build" -j "$JOBS" >/dev/null
    rm -rf "$LLAMA_PREFIX.tmp"
    cmake --install "$work/build" >/dev/null
    mkdir -p "$LLAMA_PREFIX.tmp/models"
    cp "$work/llama.cpp"/models/ggml-vocab-*.gguf "$LLAMA_PREFIX.tmp/models/"
    printf '%s %s\n' "$LLAMA_TAG" "$head" > "$LLAMA_PREFIX.tmp/VERSION"
    # The prefix is baked into llama.pc; rewrite it for the final folder.
    sed -i "s|$LLAMA_PREFIX.tmp|$LLAMA_PREFIX|g" "$LLAMA_PREFIX.tmp"/lib/pkgconfig/*.pc
    rm -rf "$LLAMA_PREFIX"
    mv "$LLAMA_PREFIX.tmp" "$LLAMA_PREFIX"
    say "llama.cpp installed in $LLAMA_PREFIX"
}

build_self() {
    say "building instructeval"
    PKG_CONFIG_PATH="$LLAMA_PREFIX/lib/pkgconfig:${PKG_CONFIG_PATH:-}" \
        cmake -S "$HERE" -B "$HERE/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        ${IE_CMAKE_FLAGS:-} >/dev/null
    cmake --build "$HERE/build" -j "$JOBS"
}

install_packages
build_llama
[ "${IE_SETUP_SKIP_BUILD:-0}" = 1 ] || build_self
