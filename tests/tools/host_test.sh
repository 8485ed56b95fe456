#!/bin/sh
# The reference host twice on the same genesis: identical schedule digests.
set -u
host="$1"; plugin="$2"; src="$3"; scratch="$4"
rm -rf "$scratch"; mkdir -p "$scratch"
for run in 1 2; do
  cat > "$scratch/cfg$run.toml" <<CFG
[tee]
db_path = "$scratch/db$run"
log_level = "warn"
[tee.consensus]
simulation = true
multiplier = 2
CFG
  "$host" --plugin "$plugin" --config "$scratch/cfg$run.toml" --genesis "$src/tools/genesis.example.txt" \
    --epochs 3 --slots 20000 > "$scratch/out$run" 2> "$scratch/err$run" || {
    echo "FAIL run $run exited $?"; cat "$scratch/err$run"; echo "0 passed, 1 failed"; exit 1; }
done
pass=0; fail=0
d1=$(grep -E '^(schedule_digest|all_schedules_digest)' "$scratch/out1")
d2=$(grep -E '^(schedule_digest|all_schedules_digest)' "$scratch/out2")
if [ -n "$d1" ] && [ "$d1" = "$d2" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL digests differ"; fi
[ "$(grep -c '^schedule_digest' "$scratch/out1")" -eq 3 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL expected 3 epoch digests"; }
grep -q '^v01 ' "$scratch/out1" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL no per-validator table"; }
# Renewal on TEE_EVENT_EXPIRING (issue 12): evidence lives 24 h and epochs are
# 1 h, so by epoch 26 every genesis record has expired unless the host renewed
# it when the plugin reported it expiring.
rm -rf "$scratch/db1"
"$host" --plugin "$plugin" --config "$scratch/cfg1.toml" --genesis "$src/tools/genesis.example.txt" \
  --epochs 26 --slots 1000 > "$scratch/out_renew" 2> "$scratch/err_renew" || {
  fail=$((fail + 1)); echo "FAIL renewal run exited"; cat "$scratch/err_renew"; }
grep -q '^  renewed v01 attested=1 reason=none' "$scratch/out_renew" && pass=$((pass + 1)) || {
  fail=$((fail + 1)); echo "FAIL v01 was not renewed"; grep -E 'renewed|expiring' "$scratch/out_renew" | head; }
grep -qE '^v01 +[0-9]+ +yes ' "$scratch/out_renew" && pass=$((pass + 1)) || {
  fail=$((fail + 1)); echo "FAIL v01 not attested after 26 epochs"; tail -12 "$scratch/out_renew"; }
cat "$scratch/out1" | tail -20
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
