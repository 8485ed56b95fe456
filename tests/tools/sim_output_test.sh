#!/bin/sh
# The simulation's output (issue 13): the terminal table fits in 100 columns,
# gnuplot's messages never reach stdout, time_vs_n.png is drawn from one
# size, and each target is drawn at its own size only.
#   sim_output_test.sh TENZRO_SIM PLUGIN SCRATCH
set -u
sim="$1"; plugin="$2"; scratch="$3"
rm -rf "$scratch"; mkdir -p "$scratch/one" "$scratch/two"
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL $*"; }
if ! command -v gnuplot >/dev/null 2>&1; then echo "gnuplot is not installed (scripts/setup.sh)"; exit 1; fi
run() {  # out-dir
  "$sim" --validators 400 --epochs 2 --slots 20000 --seed 7 --plugin "$plugin" --no-progress \
    --out "$1" > "$1/stdout" 2> "$1/stderr"
}
# 1. One size.
run "$scratch/one" && ok || { ko "run one size"; cat "$scratch/one/stderr"; }
long=$(awk 'length($0) > 100' "$scratch/one/stdout")
[ -z "$long" ] && ok || ko "stdout lines over 100 columns: $long"
grep -qi -E 'warning|gnuplot|line [0-9]+:' "$scratch/one/stdout" && ko "gnuplot text on stdout" || ok
grep -qi 'empty .* range' "$scratch/one/stderr" && ko "gnuplot cannot range one size: $(cat "$scratch/one/stderr")" || ok
[ "$(wc -c < "$scratch/one/time_vs_n.png" 2>/dev/null || echo 0)" -gt 10000 ] && ok || ko "time_vs_n.png missing or empty"
[ "$(head -c 4 "$scratch/one/time_vs_n.png" | od -An -c | tr -d ' ')" = "211PNG" ] && ok || ko "time_vs_n.png is not a PNG"
grep -q "sched_target using" "$scratch/one/time_vs_n.gp" && ko "a 400-validator run is drawn against the 1M target" || ok
# The table's details are in the CSVs.
head -1 "$scratch/one/n400/epochs.csv" | grep -q 'renewed,.*draws_per_s' && ok || ko "epochs.csv lacks the details"
# 2. A summary that already holds a 1M row at 432,000 slots: its targets are
#    drawn at 1M only (a point at x = 1e6), never as lines across every N.
printf '%s\n' "label,validators,epochs,slots,schedule_ms_median,draws_per_s,bsearch_ratio,linear_ratio,epoch_ms_median,genesis_per_s,rss_after_genesis_mb,peak_rss_mb,all_ok,bsearch_ms_median,linear_ms_estimate,schedule_warm_ms_median" \
  "n1000000,1000000,4,432000,40,1e7,1.6,900,30,5000,150,200,1,64,36000,20" > "$scratch/two/summary.csv"
run "$scratch/two" && ok || { ko "run with a 1M row"; cat "$scratch/two/stderr"; }
awk '/^\$sched_target << EOD/{f=1; next} f && /^EOD/{exit} f' "$scratch/two/time_vs_n.gp" > "$scratch/two/sched"
[ "$(cat "$scratch/two/sched")" = "1000000,50" ] && ok || ko "schedule target not at 1M only: $(cat "$scratch/two/sched")"
awk '/^\$rss_target << EOD/{f=1; next} f && /^EOD/{exit} f' "$scratch/two/time_vs_n.gp" > "$scratch/two/rss"
[ "$(cat "$scratch/two/rss")" = "1000000,256" ] && ok || ko "RSS target not at 1M only"
grep -q "epoch_target using" "$scratch/two/time_vs_n.gp" && ko "epoch target drawn without a 100k run" || ok
grep -qE '^ *[0-9]+ with lines' "$scratch/two/time_vs_n.gp" && ko "a target drawn as a line across every N" || ok
[ "$(wc -c < "$scratch/two/time_vs_n.png")" -gt 10000 ] && ok || ko "two-size time_vs_n.png missing"
# gnuplot drew everything it was given: no warning on either run.
grep -q 'warning' "$scratch/one/stderr" "$scratch/two/stderr" && ko "gnuplot warnings: $(cat "$scratch/one/stderr" "$scratch/two/stderr")" || ok
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
