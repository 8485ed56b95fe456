// SHA-256 of the DER of the SEV-SNP simulator's DEVELOPMENT ARKs (not AMD's),
// generated with them by attestation/snp/sim/make_dev_pki.cpp. The verifier
// knows these pins always and trusts a chain ending in one only when
// [tee] simulation = true; otherwise the verdict is simulation_disabled.
// Header-only, no OpenSSL: the plugin wiring passes these to the verifier.
#pragma once

#include <array>
#include <string_view>

#include "attestation/snp/report_format.h"

namespace tenzro::tee::snp::sim {

struct DevArkPin {
  format::Product product;
  std::string_view sha256_hex;
};

inline constexpr std::array<DevArkPin, 3> kDevArkPins = {{
    {format::Product::kMilan, "89b0165e86c50627d795058631657e7714469b06859551a8266811876bb6adb4"},
    {format::Product::kGenoa, "5b7241f09167d4dea2c8e2571439c13df0e623598d8fa4687d24fd581d4aafc6"},
    {format::Product::kTurin, "c0a75ffeb2e63781f882ab1c9ec923c436f469760dcafbd625a3328d23c71445"},
}};

}  // namespace tenzro::tee::snp::sim
