#!/usr/bin/env bash
# Every tracked C/C++ file is clang-formatted (.clang-format); fails otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files '*.c' '*.h' '*.cpp' | xargs clang-format --dry-run -Werror
echo "format: $(git ls-files '*.c' '*.h' '*.cpp' | wc -l) files clang-formatted"
