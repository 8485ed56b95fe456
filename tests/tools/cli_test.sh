#!/bin/sh
# tenzro-tee CLI end to end: exit codes 0 (valid) / 1 (invalid) / 2 (usage),
# the verdict JSON, binding, collateral directories, policy from --config.
set -u
cli="$1"; scratch="$2"
rm -rf "$scratch"; mkdir -p "$scratch"
here=$(cd "$(dirname "$0")" && pwd)
src="$here/../.."
. "$here/checks.sh"
K=$(printf '11%.0s' $(seq 32)); C=$(printf '22%.0s' $(seq 32)); OTHER=$(printf '33%.0s' $(seq 32))
M=$(printf 'ab%.0s' $(seq 48)); T=1767225600
dev="$src/config/devnet.toml"

check simulate 0 "$cli" simulate --validator-key "$K" --challenge "$C" --issued-at $T --out "$scratch/ev.bin" --measurement "$M"
check defaults_refuse_simulated 1 "$cli" verify --tee simulated --evidence "$scratch/ev.bin" --at $((T + 10)) --json
contains defaults_reason '"reason": "simulation_disabled"'
check devnet_accepts 0 "$cli" verify --tee simulated --evidence "$scratch/ev.bin" --config "$dev" \
  --validator-key "$K" --challenge "$C" --at $((T + 10)) --json
contains devnet_valid '"valid": true'
contains devnet_binding '"binding_valid": true'
contains devnet_valid_until "\"valid_until\": $((T + 86400))"
check wrong_key 1 "$cli" verify --tee simulated --evidence "$scratch/ev.bin" --config "$dev" \
  --validator-key "$OTHER" --challenge "$C" --at $((T + 10)) --json
contains wrong_key_reason '"reason": "binding_mismatch"'
check too_early 1 "$cli" verify --tee simulated --evidence "$scratch/ev.bin" --config "$dev" --at $((T - 1)) --json
contains too_early_reason '"reason": "not_yet_valid"'
check too_late 1 "$cli" verify --tee simulated --evidence "$scratch/ev.bin" --config "$dev" --at $((T + 86401))
contains too_late_human 'INVALID Simulated'
# --at as RFC 3339 (the same instant written three ways) and now (issue 13).
check at_rfc3339 0 "$cli" verify --tee simulated --evidence "$scratch/ev.bin" --config "$dev" --at 2026-01-01T00:00:10Z --json
check at_rfc3339_offset 0 "$cli" verify --tee simulated --evidence "$scratch/ev.bin" --config "$dev" --at 2026-01-01T01:00:10.5+01:00 --json
check at_rfc3339_late 1 "$cli" verify --tee simulated --evidence "$scratch/ev.bin" --config "$dev" --at 2026-01-02T00:00:01Z --json
contains at_rfc3339_expired '"reason": "expired"'
check at_now 1 "$cli" verify --tee simulated --evidence "$scratch/ev.bin" --config "$dev" --at now --json
contains at_now_expired '"reason": "expired"'
for bad in 2026-02-30T00:00:00Z 2026-01-01 2026-01-01T00:00:00 2026-01-01T24:00:00Z yesterday -5 1e9; do
  check "at_bad_$bad" 2 "$cli" verify --tee simulated --evidence "$scratch/ev.bin" --at "$bad"
done
check help 0 "$cli" --help
contains help_exit_codes 'Exit status: 0 success'
check help_simulate 0 "$cli" simulate --help
contains help_simulate_out 'evidence file to write'
check version 0 "$cli" --version
contains version_text 'tenzro-tee [0-9]'
mkdir -p "$scratch/coll/sub"
check make_list 0 "$cli" simulate-revocation --this-update $T --next-update $((T + 1000)) --measurement "$M" --out "$scratch/coll/list.bin"
echo "not collateral" > "$scratch/coll/readme.txt"
check revoked 1 "$cli" verify --tee simulated --evidence "$scratch/ev.bin" --config "$dev" --collateral "$scratch/coll" --at $((T + 10)) --json
contains revoked_reason '"reason": "revoked"'
mv "$scratch/coll/list.bin" "$scratch/coll/sub/list.bin"
check flat_dir_only 0 "$cli" verify --tee simulated --evidence "$scratch/ev.bin" --config "$dev" --collateral "$scratch/coll" --at $((T + 10))
# Simulated evidence is not a DCAP quote header at all: malformed for TDX
# (issue 13: junk is malformed; unsupported is for plausible quote headers).
check vendor_other_type 1 "$cli" verify --tee tdx --evidence "$scratch/ev.bin" --at $((T + 10)) --json
contains other_type_reason '"reason": "malformed"'
check garbage 1 "$cli" verify --tee simulated --evidence "$dev" --config "$dev" --at $T --json
contains garbage_reason '"reason": "malformed"'
check usage_no_at 2 "$cli" verify --tee simulated --evidence "$scratch/ev.bin"
check usage_bad_tee 2 "$cli" verify --tee tpm --evidence "$scratch/ev.bin" --at $T
check usage_missing_file 2 "$cli" verify --tee simulated --evidence "$scratch/nope" --at $T
check usage_key_without_challenge 2 "$cli" verify --tee simulated --evidence "$scratch/ev.bin" --validator-key "$K" --at $T
check usage_bad_hex 2 "$cli" verify --tee simulated --evidence "$scratch/ev.bin" --validator-key zz --challenge "$C" --at $T
printf '[tee]\nbogus = 1\n' > "$scratch/bad.toml"
check usage_bad_config 2 "$cli" verify --tee simulated --evidence "$scratch/ev.bin" --config "$scratch/bad.toml" --at $T
grep -q "tee.bogus" "$scratch/err" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL config error does not name tee.bogus"; }
# A collateral directory over the node limits of verify: a usage error.
mkdir -p "$scratch/many"
for i in $(seq 257); do echo "$i" > "$scratch/many/f$i"; done
check collateral_too_many_files 2 "$cli" verify --tee simulated --evidence "$scratch/ev.bin" --config "$dev" --collateral "$scratch/many" --at $((T + 10))
grep -q "verify_max_collateral_blobs" "$scratch/err" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL too-many error does not name the key"; }
rm "$scratch/many/f257"
check collateral_at_the_limit 0 "$cli" verify --tee simulated --evidence "$scratch/ev.bin" --config "$dev" --collateral "$scratch/many" --at $((T + 10))
# Issue 13, CLI polish.
# --help of the program and of every subcommand lists the exit codes, and
# every option has help text (on its line from column 31, or on the next
# line when the option spec is long).
for sub in "" verify simulate simulate-revocation serve detect attest "provider register" \
    enclave-encrypt enclave-decrypt mpc-demo fetch-collateral; do
  # shellcheck disable=SC2086
  check "help_$sub" 0 "$cli" $sub --help
  contains "help_exit_codes_$sub" 'Exit status: 0 success.*1 a negative answer.*2 usage or internal error'
  if awk '
    pending { if (substr($0, 1, 30) ~ /^ *$/ && length($0) > 30 && substr($0, 31, 1) != " ") { pending = 0; next }
              print "no help: " prev; bad = 1; pending = 0 }
    /^  -/ { if (length($0) > 30 && substr($0, 30, 1) == " " && substr($0, 31, 1) != " ") next
             pending = 1; prev = $0 }
    END { if (pending) { print "no help: " prev; bad = 1 } exit bad }' "$scratch/out"; then
    pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL help_text_$sub"; fi
done
# The checker catches an option without help (a help page edited to drop one).
printf 'Options:\n  --tee TEXT REQUIRED\n  --out TEXT                  file\n' > "$scratch/out"
if awk '
    pending { if (substr($0, 1, 30) ~ /^ *$/ && length($0) > 30 && substr($0, 31, 1) != " ") { pending = 0; next }
              bad = 1; pending = 0 }
    /^  -/ { if (length($0) > 30 && substr($0, 30, 1) == " " && substr($0, 31, 1) != " ") next
             pending = 1 }
    END { if (pending) bad = 1; exit bad }' "$scratch/out"; then
  fail=$((fail + 1)); echo "FAIL the help checker accepts an option without help"; else pass=$((pass + 1)); fi
# An invalid verdict prints no valid_until (the expired verdict above had a
# bound a day after issue).
check expired_json 1 "$cli" verify --tee simulated --evidence "$scratch/ev.bin" --config "$dev" --at $((T + 86401)) --json
contains expired_reason '"reason": "expired"'
contains expired_no_valid_until '"valid_until": null'
check expired_human 1 "$cli" verify --tee simulated --evidence "$scratch/ev.bin" --config "$dev" --at $((T + 86401))
contains expired_human_no_valid_until 'valid_until: null'
# Junk is malformed, not unsupported, for every vendor.
printf 'this is not evidence of any kind, just some text that a user pointed the CLI at by mistake\n' > "$scratch/junk.bin"
for tee in tdx sgx snp nitro nvidia simulated; do
  check "junk_$tee" 1 "$cli" verify --tee "$tee" --evidence "$scratch/junk.bin" --at $T --json
  contains "junk_${tee}_malformed" '"reason": "malformed"'
done
# --verbose names each collateral file that was not used, with the reason;
# without it, nothing is said.
mkdir -p "$scratch/vcoll"
"$cli" simulate-revocation --this-update $T --next-update $((T + 1000)) --out "$scratch/vcoll/list.bin" > /dev/null
echo "not collateral" > "$scratch/vcoll/notes.txt"
check verbose 0 "$cli" verify --tee simulated --evidence "$scratch/ev.bin" --config "$dev" --collateral "$scratch/vcoll" --at $((T + 10)) --verbose
if grep -q "not used: .*/notes.txt: " "$scratch/err" && ! grep -q "list.bin" "$scratch/err"; then
  pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL verbose: unused files not reported"; cat "$scratch/err"; fi
check not_verbose 0 "$cli" verify --tee simulated --evidence "$scratch/ev.bin" --config "$dev" --collateral "$scratch/vcoll" --at $((T + 10))
if [ -s "$scratch/err" ]; then fail=$((fail + 1)); echo "FAIL not_verbose: stderr not empty"; else pass=$((pass + 1)); fi
# README lists the fetcher keys with their default URLs, and
# config/example-node.toml shows every key, valid once uncommented.
for key in pcs_url kds_url fetch_ca_bundle fetch_timeout_ms fetch_interval_secs \
    https://api.trustedservices.intel.com https://kdsintf.amd.com; do
  if grep -q "$key" "$src/README.md" && grep -q "$key" "$src/config/example-node.toml"; then
    pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $key not in README.md and example-node.toml"; fi
done
sed -e 's/^# *\(pcs_url\|kds_url\|fetch_ca_bundle\) =/\1 =/' -e "s#^db_path = .*#db_path = \"$scratch/exdb\"#" \
  "$src/config/example-node.toml" > "$scratch/example-fetch.toml"
[ "$(grep -cE '^(pcs_url|kds_url|fetch_ca_bundle) =' "$scratch/example-fetch.toml")" -eq 3 ] && pass=$((pass + 1)) || {
  fail=$((fail + 1)); echo "FAIL example-node.toml does not show the three fetcher keys"; }
check example_fetch_config_loads 1 "$cli" verify --tee simulated --evidence "$scratch/ev.bin" --config "$scratch/example-fetch.toml" --at $((T + 10)) --json
# A failed write is a failure (exit 2), never a success: --out /dev/full used
# to exit 0. /dev/full accepts open and write, then fails the flush.
if [ -w /dev/full ]; then
  check out_dev_full 2 "$cli" simulate --validator-key "$K" --challenge "$C" --issued-at $T --out /dev/full
  check revocation_out_dev_full 2 "$cli" simulate-revocation --this-update $T --next-update $((T + 1000)) --out /dev/full
  "$cli" verify --tee simulated --evidence "$scratch/ev.bin" --config "$dev" --at $((T + 10)) --json \
    > /dev/full 2> "$scratch/err"; got=$?
  if [ "$got" -eq 2 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL stdout_dev_full: exit $got, want 2"; fi
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
