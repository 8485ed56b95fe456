#!/bin/sh
# Issue 14 CLI end to end: the seed's encrypt/decrypt example (round trip,
# wrong key id refused, production config refuses), and the 2-of-3 demo.
# Usage: cli_enclave_test.sh TENZRO_TEE SCRATCH_DIR
set -u
cli=$1
dir=$2
rm -rf "$dir" && mkdir -p "$dir" || exit 2
fail() { echo "FAIL: $*" >&2; exit 1; }
cat > "$dir/sim.toml" <<EOT
[tee]
db_path = '$dir/db'
log_level = "error"
[tee.consensus]
simulation = true
[tee.enclave]
key_source = "simulation"
vendor = "tdx"
EOT
cat > "$dir/prod.toml" <<EOT
[tee]
db_path = '$dir/db2'
log_level = "error"
[tee.enclave]
key_source = "none"
vendor = "tdx"
EOT
printf 'MPC key share for wallet' > "$dir/pt"
"$cli" enclave-encrypt --config "$dir/sim.toml" --key-id wallet-share-1 --in "$dir/pt" --out "$dir/ct" || fail encrypt
"$cli" enclave-decrypt --config "$dir/sim.toml" --key-id wallet-share-1 --in "$dir/ct" --out "$dir/back" || fail decrypt
cmp -s "$dir/pt" "$dir/back" || fail "round trip differs"
[ "$(wc -c < "$dir/ct")" -eq $((1 + 12 + 24 + 16)) ] || fail "ciphertext length"
"$cli" enclave-decrypt --config "$dir/sim.toml" --key-id wallet-share-2 --in "$dir/ct" --out "$dir/x" 2>/dev/null
[ $? -eq 1 ] || fail "wrong key id not refused"
[ -e "$dir/x" ] && fail "plaintext written for a wrong key id"
"$cli" enclave-decrypt --config "$dir/prod.toml" --key-id wallet-share-1 --in "$dir/ct" --out "$dir/x" 2>"$dir/err"
[ $? -eq 1 ] || fail "production config decrypted a simulation ciphertext"
grep -q simulation_disabled "$dir/err" || fail "production refusal not simulation_disabled"
"$cli" enclave-encrypt --config "$dir/prod.toml" --key-id k --in "$dir/pt" --out "$dir/x" 2>"$dir/err"
[ $? -eq 1 ] || fail "encrypt without a key source"
grep -q "no hardware key source for IntelTdx" "$dir/err" || fail "no clear key source error"
"$cli" mpc-demo --config "$dir/sim.toml" --message "hello" > "$dir/demo" || fail "mpc-demo"
[ "$(grep -c 'ed25519_verify ok' "$dir/demo")" -eq 3 ] || fail "not every 2-of-3 subset verified"
grep -q "signers 1 alone: refused" "$dir/demo" || fail "one share signed alone"
echo "cli_enclave_test: ok"
