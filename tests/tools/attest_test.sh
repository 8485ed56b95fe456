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
# --root: a device tree elsewhere (NVML and CPUID stay this machine's).
mkdir -p "$scratch/root-none" "$scratch/root-nitro/dev"; : > "$scratch/root-nitro/dev/nsm"
check detect_root_nitro_ready 0 "$cli" detect --root "$scratch/root-nitro"
contains detect_root_nitro_type "$scratch/out" 'TEE Type: AWS Nitro'
contains detect_root_nitro_ready_line "$scratch/out" 'Ready: true'
contains detect_root_nitro_iface "$scratch/out" '/dev/nsm'
if [ "$d" -eq 1 ]; then
  check detect_root_empty_none 1 "$cli" detect --root "$scratch/root-none"
  contains detect_root_empty_reason "$scratch/out" 'Not detected: AWS Nitro: '
fi
check detect_root_missing 2 "$cli" detect --root "$scratch/no-such-dir"
check detect_unknown_option 2 "$cli" detect --bogus
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
newdb; check tdx_register_other_key 1 "$reg" "$module" "$scratch/node.toml" 1 "$NOW" "$OTHER" "$C" "$scratch/tdx.bin" \
  "$scratch"/tdx-coll/*
contains tdx_binding_mismatch "$scratch/out" 'attested=0 reason=17'
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

# Nitro and NVIDIA: the simulators make the real formats (a COSE_Sign1 with
# nonce = binding; NVIDIA's serialized evidence JSON, request nonce =
# binding[0..32), the chain inside). A wrong key: reason 17 (binding
# mismatch) for Nitro, 18 (nonce mismatch) for NVIDIA's request nonce.
# A Nitro document is dated when it is made and its leaf starts 1 s before:
# verify and register at a time taken after the attest.
roundtrip() {  # tee abi_type wrong_key_reason display_name
  tee="$1"; abi="$2"; wrong="$3"; display="$4"
  check "${tee}_attest" 0 "$cli" attest --tee "$tee" --simulate --validator-key "$K" --challenge "$C" --out "$scratch/$tee.ev"
  NOW=$(date +%s)
  contains "${tee}_attest_type" "$scratch/out" "TEE Type: $display"
  contains "${tee}_attest_sim" "$scratch/out" 'Simulated: true'
  check "${tee}_verify" 0 "$cli" verify --tee "$tee" --evidence "$scratch/$tee.ev" --config "$dev" \
    --validator-key "$K" --challenge "$C" --at "$NOW" --json
  contains "${tee}_binding" "$scratch/out" '"binding_valid": true'
  check "${tee}_verify_other_key" 1 "$cli" verify --tee "$tee" --evidence "$scratch/$tee.ev" --config "$dev" \
    --validator-key "$OTHER" --challenge "$C" --at "$NOW" --json
  # Simulation off (built-in defaults): refused, whatever the environment says.
  TENZRO_SIMULATE_NITRO=1 TENZRO_SIMULATE_NVIDIA=1 "$cli" verify --tee "$tee" --evidence "$scratch/$tee.ev" \
    --at "$NOW" --json > "$scratch/out" 2> "$scratch/err"; got=$?
  [ "$got" -eq 1 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL ${tee} sim off exit $got"; }
  contains "${tee}_sim_disabled" "$scratch/out" '"reason": "simulation_disabled"'
  newdb; check "${tee}_register_attested" 0 "$reg" "$module" "$scratch/node.toml" "$abi" "$NOW" "$K" "$C" "$scratch/$tee.ev"
  contains "${tee}_attested" "$scratch/out" 'attested=1 reason=0'
  newdb; check "${tee}_register_other_key" 1 "$reg" "$module" "$scratch/node.toml" "$abi" "$NOW" "$OTHER" "$C" "$scratch/$tee.ev"
  contains "${tee}_mismatch" "$scratch/out" "attested=0 reason=$wrong"
  # The plugin with simulation off refuses it too (reason 19).
  printf '[tee]\ndb_path = "%s"\nlog_level = "off"\n' "$scratch/db" > "$scratch/off.toml"
  newdb; check "${tee}_register_sim_off" 1 "$reg" "$module" "$scratch/off.toml" "$abi" "$NOW" "$K" "$C" "$scratch/$tee.ev"
  contains "${tee}_register_sim_disabled" "$scratch/out" 'attested=0 reason=19'
}
roundtrip nitro 4 17 'AWS Nitro'
roundtrip nvidia 5 18 'NVIDIA GPU CC'
# The seed's variables make generation simulate, per type.
TENZRO_SIMULATE_NITRO=1 "$cli" attest --tee nitro --validator-key "$K" --challenge "$C" --out "$scratch/env-nitro.ev" \
  > "$scratch/out" 2> "$scratch/err"; got=$?
[ "$got" -eq 0 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL env nitro exit $got"; cat "$scratch/err"; }
contains env_nitro_sim "$scratch/out" 'Simulated: true'
TENZRO_SIMULATE_NVIDIA=yes "$cli" attest --tee nvidia --validator-key "$K" --challenge "$C" --out "$scratch/env-nv.ev" \
  > "$scratch/out" 2> "$scratch/err"; got=$?
[ "$got" -eq 0 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL env nvidia exit $got"; cat "$scratch/err"; }
contains env_nvidia_sim "$scratch/out" 'TEE Type: NVIDIA GPU CC'
if [ "$d" -eq 1 ]; then
  # "0" and "false" do not ask for simulation: no hardware, exit 1.
  TENZRO_SIMULATE_NITRO=0 TENZRO_SIMULATE_NVIDIA=false "$cli" attest --tee nitro --validator-key "$K" --challenge "$C" \
    --out "$scratch/n.bin" > "$scratch/out" 2> "$scratch/err"; got=$?
  [ "$got" -eq 1 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL env 0 exit $got"; }
  check nitro_hardware_absent 1 "$cli" attest --tee nitro --validator-key "$K" --challenge "$C" --out "$scratch/n.bin"
  contains nitro_absent_reason "$scratch/err" '/dev/nsm'
  check nvidia_hardware_absent 1 "$cli" attest --tee nvidia --validator-key "$K" --challenge "$C" --out "$scratch/n.bin"
fi
check attest_missing_out 2 "$cli" attest --tee nitro --simulate --validator-key "$K" --challenge "$C"
check attest_unwritable_out 2 "$cli" attest --tee nitro --simulate --validator-key "$K" --challenge "$C" \
  --out "$scratch/no-such-dir/ev.bin"
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
# Nitro and NVIDIA registration requests: the pre-check passes under devnet.
for t in aws-nitro nvidia-gpu; do
  check "register_$t" 0 "$cli" provider register --type tee --tee-type "$t" --generate-attestation --simulate \
    --id "$K" --challenge "$C" --stake 7 --out "$scratch/req-$t.json" --config "$dev"
  contains "register_${t}_precheck" "$scratch/out" 'Pre-check: valid (simulated evidence)'
  /usr/bin/python3 - "$scratch/req-$t.json" "$t" <<'PY' && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL request $t"; cat "$scratch/req-$t.json"; }
import base64, json, sys
r = json.load(open(sys.argv[1]))
assert r["tee_type"] == sys.argv[2] and r["simulated"] is True and r["stake"] == "7"
v = r["precheck"]["verdict"]
assert v["valid"] is True and v["binding_valid"] is True and v["reason"] is None
b = bytes.fromhex(r["binding"]["binding"])
ev = base64.b64decode(r["evidence"], validate=True)
if sys.argv[2] == "aws-nitro":
    assert ev[:1] in (b"\x84", b"\xd2")  # COSE_Sign1, untagged or tag 18
    assert b"\x58\x40" + b in ev         # nonce: a 64-byte bstr, the binding
    assert v["tee_type"] == "AwsNitro"
else:
    doc = json.loads(ev)
    assert doc["nonce"] == b[:32].hex() and doc["arch"] == "HOPPER"
    rep = base64.b64decode(doc["evidence_list"][0]["evidence"])
    assert rep[1] == 0xE0 and rep[4:36] == b[:32]  # SPDM GET_MEASUREMENTS nonce
    assert base64.b64decode(doc["evidence_list"][0]["certificate"]).startswith(b"-----BEGIN CERTIFICATE-----")
    assert v["tee_type"] == "NvidiaGpu"
PY
  check "register_${t}_sim_off" 1 "$cli" provider register --type tee --tee-type "$t" --generate-attestation \
    --simulate --id "$K" --challenge "$C" --out "$scratch/refused-$t.json"
  contains "register_${t}_sim_off_reason" "$scratch/err" 'simulation_disabled'
  [ ! -e "$scratch/refused-$t.json" ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL refused $t request was written"; }
done
check register_nitro_wrong_key 1 "$cli" provider register --type tee --tee-type aws-nitro --evidence "$scratch/nitro.ev" \
  --id "$OTHER" --challenge "$C" --out "$scratch/m.json" --config "$dev"
contains register_nitro_wrong_key_reason "$scratch/err" 'binding_mismatch'
check register_nvidia_wrong_key 1 "$cli" provider register --type tee --tee-type nvidia-gpu --evidence "$scratch/nvidia.ev" \
  --id "$OTHER" --challenge "$C" --out "$scratch/m.json" --config "$dev"
contains register_nvidia_wrong_key_reason "$scratch/err" 'nonce_mismatch'
if [ "$d" -eq 1 ]; then
  check register_no_hardware 1 "$cli" provider register --type tee --tee-type aws-nitro --generate-attestation \
    --id "$K" --challenge "$C" --out "$scratch/m.json"
  contains register_no_hardware_reason "$scratch/err" '/dev/nsm'
fi
check register_unwritable_out 2 "$cli" provider register --type tee --tee-type aws-nitro --generate-attestation \
  --simulate --id "$K" --challenge "$C" --out "$scratch/no-such-dir/req.json" --config "$dev"
check register_missing_id 2 "$cli" provider register --type tee --tee-type aws-nitro --generate-attestation \
  --simulate --challenge "$C" --out "$scratch/m.json"
check register_bad_config 2 "$cli" provider register --type tee --tee-type aws-nitro --generate-attestation \
  --simulate --id "$K" --challenge "$C" --out "$scratch/m.json" --config "$scratch/no-such.toml"
check register_model_type 2 "$cli" provider register --type model --tee-type amd-sev-snp --generate-attestation \
  --id "$K" --challenge "$C" --out "$scratch/m.json"
check register_bad_tee_type 2 "$cli" provider register --type tee --tee-type tdx --generate-attestation \
  --id "$K" --challenge "$C" --out "$scratch/m.json"
check register_both_sources 2 "$cli" provider register --type tee --tee-type amd-sev-snp --generate-attestation \
  --evidence "$scratch/snp.bin" --id "$K" --challenge "$C" --out "$scratch/m.json"
check register_zero_stake 2 "$cli" provider register --type tee --tee-type amd-sev-snp --evidence "$scratch/snp.bin" \
  --id "$K" --challenge "$C" --stake 0 --out "$scratch/m.json"
# Model providers (issue 15): provider register --type model binds with
# tenzro-tee-model-v1 to (provider key, model hash, challenge); the request's
# evidence registers as that provider through the ABI and as nothing else.
M=$(printf '44%.0s' $(seq 32))
check register_model 0 "$cli" provider register --type model --model-id llama-3-70b --model-hash "$M" \
  --tee-type amd-sev-snp --generate-attestation --simulate --id "$K" --challenge "$C" \
  --out "$scratch/req-model.json" --config "$dev"
/usr/bin/python3 - "$scratch/req-model.json" "$K" "$M" "$C" "$scratch/model.ev" <<'PY' && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL model request"; cat "$scratch/req-model.json"; }
import base64, hashlib, json, sys
r = json.load(open(sys.argv[1]))
k, m, c = (bytes.fromhex(x) for x in sys.argv[2:5])
want = hashlib.sha512(b"tenzro-tee-model-v1" + k + m + c).hexdigest()
assert r["type"] == "model" and r["model_id"] == "llama-3-70b" and "stake" not in r
b = r["binding"]
assert b["tag"] == "tenzro-tee-model-v1" and b["binding"] == want
assert b["provider_key"] == sys.argv[2] and b["model_hash"] == sys.argv[3]
assert r["precheck"]["verdict"]["valid"] is True
ev = base64.b64decode(r["evidence"], validate=True)
assert ev[0x50:0x90].hex() == want  # SNP ATTESTATION_REPORT REPORT_DATA
open(sys.argv[5], "wb").write(ev)
PY
newdb; check model_register_provider 0 env MODEL_ID=llama-3-70b MODEL_HASH="$M" "$reg" "$module" "$scratch/node.toml" 3 "$NOW" "$K" "$C" "$scratch/model.ev"
newdb; check model_other_hash 1 env MODEL_ID=llama-3-70b MODEL_HASH="$OTHER" "$reg" "$module" "$scratch/node.toml" 3 "$NOW" "$K" "$C" "$scratch/model.ev"
contains model_other_hash_reason "$scratch/out" 'attested=0 reason=17'
newdb; check model_evidence_is_not_validator_evidence 1 "$reg" "$module" "$scratch/node.toml" 3 "$NOW" "$K" "$C" "$scratch/model.ev"
contains model_not_validator_reason "$scratch/out" 'attested=0 reason=17'
check register_model_stake 2 "$cli" provider register --type model --model-id llama-3-70b --model-hash "$M" \
  --tee-type amd-sev-snp --evidence "$scratch/model.ev" --id "$K" --challenge "$C" --stake 5 --out "$scratch/m.json"
check register_model_bad_id 2 "$cli" provider register --type model --model-id "$(printf 'x%.0s' $(seq 129))" \
  --model-hash "$M" --tee-type amd-sev-snp --evidence "$scratch/model.ev" --id "$K" --challenge "$C" --out "$scratch/m.json"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
