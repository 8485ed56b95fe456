#!/bin/sh
# NRAS tokens through the CLI (issue 11): the simulator's detached EAT and
# JWKS (committed fuzz seeds, made by make_nvidia_rim_seeds from the NRAS
# simulator: nonce 5a..5a, iat 1749601858, 1 h), a collateral directory with
# the JWKS, [tee.consensus.nvidia] mode and nras_jwks_sha256 from --config.
set -u
here=$(cd "$(dirname "$0")" && pwd)
seeds="$here/../fuzz/corpus/nvidia_eat"
cli="$1"; scratch="$2"
. "$here/checks.sh"
rm -rf "$scratch"; mkdir -p "$scratch/coll"
config() {  # file simulation mode [pin]
  {
    printf '[tee]\ndb_path = "%s/db"\n[tee.consensus]\nsimulation = %s\n' "$scratch" "$2"
    printf '[tee.consensus.nvidia]\nmode = "%s"\n' "$3"
    if [ $# -ge 4 ]; then printf 'nras_jwks_sha256 = "%s"\n' "$4"; fi
  } > "$1"
}
cp "$seeds/jwks.json" "$scratch/coll/jwks.json"
eat="$seeds/one_gpu.json"
N=$(printf '5a%.0s' $(seq 32)); IAT=1749601858; AT=$((IAT + 60))
PIN=$(sha256sum "$seeds/jwks.json" | cut -d' ' -f1)
OTHER=$(printf '42%.0s' $(seq 32))

config "$scratch/sim.toml" true nras
check sim_valid 0 "$cli" verify --tee nvidia --evidence "$eat" --collateral "$scratch/coll" \
  --config "$scratch/sim.toml" --nonce "$N" --at $AT --json
contains sim_valid_json '"valid": true'
contains sim_claims '"measres": "success"'
contains sim_valid_until "\"valid_until\": $((IAT + 3600 - 1))"
check sim_expired 1 "$cli" verify --tee nvidia --evidence "$eat" --collateral "$scratch/coll" \
  --config "$scratch/sim.toml" --nonce "$N" --at $((IAT + 3600)) --json
contains sim_expired_reason '"reason": "expired"'
check sim_other_nonce 1 "$cli" verify --tee nvidia --evidence "$eat" --collateral "$scratch/coll" \
  --config "$scratch/sim.toml" --nonce "$OTHER" --at $AT --json
contains sim_other_nonce_reason '"reason": "nonce_mismatch"'
check sim_no_jwks 1 "$cli" verify --tee nvidia --evidence "$eat" --config "$scratch/sim.toml" \
  --nonce "$N" --at $AT --json
contains sim_no_jwks_reason '"reason": "collateral_missing"'

# Simulation off: the simulator's JWKS is trusted only under the chain's pin.
config "$scratch/pinned.toml" false nras "$PIN"
check pinned_valid 0 "$cli" verify --tee nvidia --evidence "$eat" --collateral "$scratch/coll" \
  --config "$scratch/pinned.toml" --nonce "$N" --at $AT --json
contains pinned_valid_json '"hardware_verified": true'
config "$scratch/other_pin.toml" false nras "$OTHER"
check other_pin 1 "$cli" verify --tee nvidia --evidence "$eat" --collateral "$scratch/coll" \
  --config "$scratch/other_pin.toml" --nonce "$N" --at $AT --json
contains other_pin_reason '"reason": "collateral_missing"'
config "$scratch/unpinned.toml" false nras
check unpinned 1 "$cli" verify --tee nvidia --evidence "$eat" --collateral "$scratch/coll" \
  --config "$scratch/unpinned.toml" --nonce "$N" --at $AT --json
contains unpinned_reason '"reason": "collateral_missing"'

# Mode local: a token alone is not evidence.
config "$scratch/local.toml" true local
check local_token_alone 1 "$cli" verify --tee nvidia --evidence "$eat" --collateral "$scratch/coll" \
  --config "$scratch/local.toml" --nonce "$N" --at $AT --json
contains local_reason '"reason": "unsupported"'

echo "cli_nvidia_nras: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
