#include "attestation/snp/dev_roots.h"

// The simulator commits its pins beside its PKI; the verifier library does
// not link the simulator, it only reads this header-only table. CMake defines
// TEE_SNP_HAVE_DEV_ROOTS when the header is in the tree.
#ifdef TEE_SNP_HAVE_DEV_ROOTS
#include "attestation/snp/sim/dev_roots.h"
#endif

namespace tenzro::tee::snp {

const std::vector<DevArk>& BuiltinDevArks() {
  static const std::vector<DevArk> pins = [] {
    std::vector<DevArk> out;
#ifdef TEE_SNP_HAVE_DEV_ROOTS
    for (const auto& pin : sim::kDevArkPins) {
      auto h = FromHexFixed<32>(pin.sha256_hex);
      if (h) out.push_back({pin.product, *h});
    }
#endif
    return out;
  }();
  return pins;
}

}  // namespace tenzro::tee::snp
