#!/bin/sh
# Issue 12 end to end: tenzro-tee detect / attest / provider register, and the
# round trip attest --simulate -> verify -> register_validator through the C
# ABI (abi_register, dlopen) -> attested. Exit codes: 0 success, 1 no usable
# TEE or refused pre-check, 2 usage.
set -u
cli="$1"; reg="$2"; module="$3"; scratch="$4"
rm -rf "$scratch"; mkdir -p "$scratch"
here=$(cd "$(dirname "$0")" && pwd)
dev="$here/../../config/devnet.toml"
. "$here/checks.sh"
contains() {  # name file text
  if grep -q "$3" "$2"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL $1: $2 lacks $3"; cat "$2"; fi
}
K=$(printf '11%.0s' $(seq 32)); C=$(printf '22%.0s' $(seq 32)); OTHER=$(printf '33%.0s' $(seq 32))
NOW=$(date +%s)
# The plugin's config: simulation on, its own database.
printf '[tee]\ndb_path = "%s"\nlog_level = "off"\n[tee.consensus]\nsimulation = true\n' \
  "$scratch/db" > "$scratch/node.toml"
newdb() { rm -rf "$scratch/db"; }

# detect: exit 0 with a ready TEE, 1 without; this machine's answer either way.
"$cli" detect > "$scratch/detect.txt" 2>&1; d=$?
if [ "$d" -eq 0 ] || [ "$d" -eq 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL detect exit $d"; fi
if [ "$d" -eq 0 ]; then contains detect_block "$scratch/detect.txt" 'Ready: true'
else contains detect_none "$scratch/detect.txt" 'Not detected: Intel TDX'; fi
check detect_json "$d" "$cli" detect --json
"$cli" detect --json | /usr/bin/python3 -c 'import json,sys; j=json.load(sys.stdin); assert len(j["tees"])+len(j["not_detected"])==4; assert "present" in j["tpm"]' \
  && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL detect --json shape"; }

# SNP: attest --simulate -> verify -> register_validator via the ABI.
check snp_attest 0 "$cli" attest --tee snp --simulate --validator-key "$K" --challenge "$C" --out "$scratch/snp.bin"
contains snp_attest_type "$scratch/out" 'TEE Type: AMD SEV-SNP'
contains snp_attest_sim "$scratch/out" 'Simulated: true'
check snp_verify 0 "$cli" verify --tee snp --evidence "$scratch/snp.bin" --config "$dev" \
  --validator-key "$K" --challenge "$C" --at "$NOW" --json
contains snp_binding "$scratch/out" '"binding_valid": true'
check snp_verify_default_refuses 1 "$cli" verify --tee snp --evidence "$scratch/snp.bin" --at "$NOW" --json
contains snp_sim_disabled "$scratch/out" '"reason": "simulation_disabled"'
newdb; check snp_register_attested 0 "$reg" "$module" "$scratch/node.toml" 3 "$NOW" "$K" "$C" "$scratch/snp.bin"
contains snp_attested "$scratch/out" 'attested=1 reason=0'
newdb; check snp_register_other_key 1 "$reg" "$module" "$scratch/node.toml" 3 "$NOW" "$OTHER" "$C" "$scratch/snp.bin"
contains snp_binding_mismatch "$scratch/out" 'attested=0 reason=17'

# TDX: the quote and the collateral that goes with it.
check tdx_attest 0 "$cli" attest --tee tdx --simulate --validator-key "$K" --challenge "$C" \
  --out "$scratch/tdx.bin" --collateral-out "$scratch/tdx-coll"
check tdx_verify 0 "$cli" verify --tee tdx --evidence "$scratch/tdx.bin" --collateral "$scratch/tdx-coll" \
  --config "$dev" --validator-key "$K" --challenge "$C" --at "$NOW" --json
newdb; check tdx_register_attested 0 "$reg" "$module" "$scratch/node.toml" 1 "$NOW" "$K" "$C" "$scratch/tdx.bin" \
  "$scratch"/tdx-coll/*
newdb; check tdx_register_without_collateral 1 "$reg" "$module" "$scratch/node.toml" 1 "$NOW" "$K" "$C" "$scratch/tdx.bin"

# The seed's environment variables make generation simulate (never trust).
TENZRO_SIMULATE_SNP=1 "$cli" attest --validator-key "$K" --challenge "$C" --out "$scratch/auto.bin" \
  > "$scratch/out" 2> "$scratch/err"; got=$?
if [ "$d" -eq 1 ]; then
  [ "$got" -eq 0 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL env auto exit $got"; cat "$scratch/err"; }
  contains env_auto_snp "$scratch/out" 'TEE Type: AMD SEV-SNP'
  check no_tee_no_simulation 1 "$cli" attest --validator-key "$K" --challenge "$C" --out "$scratch/none.bin"
  contains no_tee_reason "$scratch/err" 'no usable TEE'
  check tdx_hardware_absent 1 "$cli" attest --tee tdx --validator-key "$K" --challenge "$C" --out "$scratch/none.bin"
fi
check nitro_sim_not_yet 1 "$cli" attest --tee nitro --simulate --validator-key "$K" --challenge "$C" --out "$scratch/n.bin"
contains nitro_sim_message "$scratch/err" 'arrives with its verifier'
check nvidia_sim_not_yet 1 "$cli" attest --tee nvidia --simulate --validator-key "$K" --challenge "$C" --out "$scratch/n.bin"
check attest_bad_tee 2 "$cli" attest --tee sgx --validator-key "$K" --challenge "$C" --out "$scratch/n.bin"
check attest_bad_hex 2 "$cli" attest --tee snp --simulate --validator-key zz --challenge "$C" --out "$scratch/n.bin"

# provider register: the request, and refusals with the verdict's reason.
check register_tdx 0 "$cli" provider register --type tee --tee-type intel-tdx --generate-attestation --simulate \
  --id "$K" --challenge "$C" --stake 1000 --out "$scratch/req.json" --config "$dev"
/usr/bin/python3 - "$scratch/req.json" "$K" "$C" <<'PY' && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL request.json"; cat "$scratch/req.json"; }
import base64, json, sys
r = json.load(open(sys.argv[1]))
assert r["type"] == "tee" and r["tee_type"] == "intel-tdx" and r["stake"] == "1000"
assert r["id"] == sys.argv[2] and r["binding"]["challenge"] == sys.argv[3]
assert r["binding"]["tag"] == "tenzro-tee-bind-v1" and len(r["binding"]["binding"]) == 128
assert r["simulated"] is True and r["precheck"]["verdict"]["valid"] is True
q = base64.b64decode(r["evidence"], validate=True)
# TDX quote v4: the TD report's REPORTDATA (offset 48 + 520) is the binding.
assert q[48 + 520:48 + 584].hex() == r["binding"]["binding"]
PY
check register_refused_sim_off 1 "$cli" provider register --type tee --tee-type amd-sev-snp --generate-attestation \
  --simulate --id "$K" --challenge "$C" --out "$scratch/refused.json"
contains refused_reason "$scratch/err" 'simulation_disabled'
[ ! -e "$scratch/refused.json" ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL refused request was written"; }
check register_evidence_file 0 "$cli" provider register --type tee --tee-type amd-sev-snp --evidence "$scratch/snp.bin" \
  --id "$K" --challenge "$C" --out "$scratch/req2.json" --config "$dev"
check register_wrong_challenge 1 "$cli" provider register --type tee --tee-type amd-sev-snp --evidence "$scratch/snp.bin" \
  --id "$K" --challenge "$OTHER" --out "$scratch/req3.json" --config "$dev"
contains wrong_challenge_reason "$scratch/err" 'binding_mismatch'
check register_model_type 2 "$cli" provider register --type model --tee-type amd-sev-snp --generate-attestation \
  --id "$K" --challenge "$C" --out "$scratch/m.json"
check register_bad_tee_type 2 "$cli" provider register --type tee --tee-type tdx --generate-attestation \
  --id "$K" --challenge "$C" --out "$scratch/m.json"
check register_both_sources 2 "$cli" provider register --type tee --tee-type amd-sev-snp --generate-attestation \
  --evidence "$scratch/snp.bin" --id "$K" --challenge "$C" --out "$scratch/m.json"
check register_zero_stake 2 "$cli" provider register --type tee --tee-type amd-sev-snp --evidence "$scratch/snp.bin" \
  --id "$K" --challenge "$C" --stake 0 --out "$scratch/m.json"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
