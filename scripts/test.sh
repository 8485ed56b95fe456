#!/usr/bin/env bash
# Every test: set up, check formatting, build (warnings are errors), run the
# CTest suite; a build with one vendor only (SNP) and its tests; then the
# same suite under ASan+UBSan and under TSan (clang 14,
# -Wthread-safety -Werror). TEE_VECTORS_DIR (default ../shared/vectors) points
# the vendor tests at the real evidence; tests that need it say so when it is
# absent. TEE_SANITIZERS=0 skips the two sanitizer builds (a quick local run;
# CI never sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
stamp() { echo "test.sh: $1 at +$(( $(date +%s) - start ))s"; }
bash scripts/setup.sh
bash scripts/format_check.sh
bash scripts/build.sh
export TEE_VECTORS_DIR="${TEE_VECTORS_DIR:-$(pwd)/../shared/vectors}"
(cd build && ctest --output-on-failure -j "$(nproc)")
stamp "release suite passed"
# The seed's feature flags: one build with a single vendor (SNP) and its tests.
bash scripts/vendor_build.sh SNP
stamp "single-vendor (amd-sev-snp) suite passed"
if [ "${TEE_SANITIZERS:-1}" != "0" ]; then
  bash scripts/sanitize.sh address
  stamp "ASan+UBSan suite passed"
  bash scripts/sanitize.sh thread
  stamp "TSan suite passed"
fi
stamp "all done"
