#!/usr/bin/env bash
# One build with a single vendor (issue 13: the seed's feature flags) and its
# tests: the vendor's own suites, unit.vendors (built-out vendors answer
# `unsupported`, a node refuses a chain listing them, the chain's params_hash
# is the same as in the full build) and unit.vendor_symbols (the other
# vendors' verifiers are not in the module or the CLI).
#   scripts/vendor_build.sh [TDX|SNP|NITRO|NVIDIA]   (default SNP), into ./build-vendor-<name>
set -euo pipefail
cd "$(dirname "$0")/.."
only="${1:-SNP}"
case "$only" in TDX|SNP|NITRO|NVIDIA) ;; *) echo "vendor_build.sh: TDX, SNP, NITRO or NVIDIA" >&2; exit 2 ;; esac
flags=()
for v in TDX SNP NITRO NVIDIA; do
  if [ "$v" = "$only" ]; then flags+=("-DTEE_VENDOR_$v=ON"); else flags+=("-DTEE_VENDOR_$v=OFF"); fi
done
launcher=()
if [ -n "${TEE_CCACHE:-}" ]; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
dir="build-vendor-$(echo "$only" | tr 'A-Z' 'a-z')"
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTEE_WERROR=ON -DTEE_BUILD_BENCHES=OFF \
  "${flags[@]}" "${launcher[@]}" >/dev/null
cmake --build "$dir" -j "$(nproc)"
export TEE_VECTORS_DIR="${TEE_VECTORS_DIR:-$(pwd)/../shared/vectors}"
cd "$dir"
ctest --output-on-failure -j "$(nproc)"
