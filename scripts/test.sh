#!/usr/bin/env bash
# Every test: set up, build (warnings are errors), run the CTest suite.
# TEE_VECTORS_DIR (default ../shared/vectors) points the vendor tests at the
# real evidence; tests that need it say so when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
export TEE_VECTORS_DIR="${TEE_VECTORS_DIR:-$(pwd)/../shared/vectors}"
cd build
ctest --output-on-failure -j "$(nproc)"
