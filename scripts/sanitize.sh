#!/usr/bin/env bash
# One sanitizer build and a run of the whole suite under it (issue 9).
#   scripts/sanitize.sh address   ASan+UBSan (clang 14), into ./build-asan
#   scripts/sanitize.sh thread    TSan (clang 14, -Wthread-safety -Werror), into ./build-tsan
# A flaky test is a failing test: concurrency is proven here, not by a green
# Release run. Any sanitizer report fails the run (halt_on_error).
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:?usage: sanitize.sh address|thread}"
case "$mode" in
  address) dir=build-asan; benches=ON ;;
  thread) dir=build-tsan; benches=OFF ;;
  *) echo "sanitize.sh: mode must be address or thread" >&2; exit 2 ;;
esac
launcher=()
if [ -n "${TEE_CCACHE:-}" ]; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
CC=clang-14 CXX=clang++-14 cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DTEE_WERROR=ON -DTEE_SANITIZE="$mode" -DTEE_BUILD_BENCHES="$benches" \
  -DCMAKE_C_FLAGS=-g1 -DCMAKE_CXX_FLAGS=-g1 "${launcher[@]}" >/dev/null
cmake --build "$dir" -j "$(nproc)"
export TEE_VECTORS_DIR="${TEE_VECTORS_DIR:-$(pwd)/../shared/vectors}"
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:history_size=4:suppressions=$(pwd)/tests/tsan.supp"
cd "$dir"
ctest --output-on-failure -j "$(nproc)" ${TEE_CTEST_ARGS:-}
