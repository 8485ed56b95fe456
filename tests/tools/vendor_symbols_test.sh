#!/bin/sh
# A vendor built out (-DTEE_VENDOR_*=OFF) is not in the binaries: the module
# and the CLI hold the verifier of every built vendor and of no other.
#   vendor_symbols_test.sh BUILT_LIST MODULE CLI   (BUILT_LIST: "intel-tdx,amd-sev-snp")
# Reads the static symbol tables (the module exports only tee_*); a vendor's
# verifier is its Verify method, which nothing else defines.
set -eu
built="$1"; shift
fail=0
for bin in "$@"; do
  syms=$(nm -C "$bin")
  for pair in intel-tdx:tdx::TdxVerifier amd-sev-snp:snp::SnpVerifier \
              aws-nitro:nitro::NitroVerifier nvidia-gpu:nvidia::NvidiaVerifier; do
    vendor=${pair%%:*}; cls=${pair#*:}
    if printf '%s\n' "$syms" | grep -q "tenzro::tee::$cls::Verify("; then have=yes; else have=no; fi
    case ",$built," in *",$vendor,"*) want=yes ;; *) want=no ;; esac
    if [ "$have" != "$want" ]; then
      echo "FAIL $(basename "$bin"): $vendor verifier present=$have, built=$want"; fail=1
    else
      echo "ok   $(basename "$bin"): $vendor verifier present=$have"
    fi
  done
done
exit $fail
