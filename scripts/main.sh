#!/usr/bin/env bash
# The main job: set up, build, then run the reference validator host. It loads
# libtenzro_tee.so with dlopen, registers the example genesis (simulated
# evidence for the validators marked `sim`), runs epochs and prints each
# validator's leader share and a digest of every schedule.
# Extra arguments go to the host (e.g. --epochs 8 --slots 100000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
rm -rf build/devnet-db
exec build/tenzro-tee-host --plugin build/libtenzro_tee.so --config config/devnet.toml \
  --genesis tools/genesis.example.txt "$@"
