#include "attestation/snp/dev_roots.h"

// The simulator commits its pins beside its PKI; the verifier library does
// not link the simulator, it only reads this header-only table.
#include "attestation/snp/sim/dev_roots.h"

namespace tenzro::tee::snp {

const std::vector<DevArk>& BuiltinDevArks() {
  static const std::vector<DevArk> pins = [] {
    std::vector<DevArk> out;
    for (const auto& pin : sim::kDevArkPins) {
      auto h = FromHexFixed<32>(pin.sha256_hex);
      if (h) out.push_back({pin.product, *h});
    }
    return out;
  }();
  return pins;
}

}  // namespace tenzro::tee::snp
