#!/usr/bin/env bash
# The leader-selection simulation (issue 5): builds the plugin and tenzro-sim
# if needed, then simulates networks of each size in SIM_SIZES (default 1k,
# 10k and 100k validators; 4 epochs x 432,000 slots each) against the plugin
# loaded with dlopen, pinned to one core. Writes a table to the terminal and,
# under sim-out/ (SIM_OUT), per run <label>/epochs.csv, classes.csv and
# shares.png, and over all runs summary.csv and time_vs_n.png.
#   bash scripts/simulate.sh
#   SIM_SIZES="1000000" bash scripts/simulate.sh --epochs 3 --attested 0.1
# Extra arguments go to every run (build/benches/sim/tenzro-sim --help).
# Exit status: non-zero when any run failed a check (fairness outside its
# 99.9% bound, methods naming different leaders, plugin and model disagreeing).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ ! -f build/build.ninja ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DTEE_WERROR=ON
fi
cmake --build build --target tenzro_tee tenzro-sim -j "$(nproc)"

out="${SIM_OUT:-sim-out}"
mkdir -p "$out"
rm -f "$out/summary.csv"
pin=()
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -gt 1 ]; then pin=(taskset -c 1); fi
status=0
for n in ${SIM_SIZES:-1000 10000 100000}; do
  "${pin[@]}" build/benches/sim/tenzro-sim --validators "$n" --out "$out" "$@" || status=1
  echo
done
echo "simulate: CSV and PNG under $out/ (summary.csv, time_vs_n.png, n<N>/shares.png)"
exit "$status"
