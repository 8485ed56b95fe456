#!/usr/bin/env bash
# Installs every Debian 12 package that the build, the tests and the tools need.
# Idempotent: packages already present are left alone; apt-get runs only when
# something is missing. Must run as root (or through sudo). Nothing is fetched
# from anywhere but Debian's archive.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libboost-dev libboost-test-dev
  libsodium-dev libssl-dev librocksdb-dev libspdlog-dev libfmt-dev
  libtomlplusplus-dev libcli11-dev nlohmann-json3-dev
  libbenchmark-dev libclang-rt-14-dev clang-14
  libcbor-dev libxmlsec1-dev libxml2-dev prometheus-cpp-dev libsimdjson-dev
  python3 gnuplot-nox curl
)
# Optional, for benches/http_bench.sh only (never CI): TEE_SETUP_BENCH=1.
if [ "${TEE_SETUP_BENCH:-0}" = "1" ]; then packages+=(wrk); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
