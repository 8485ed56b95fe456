#include "attestation/snp/dev_roots.h"

// The simulator commits its pins beside its PKI; the verifier library does
// not link the simulator, it only reads this header-only table.
#if __has_include("attestation/snp/sim/dev_roots.h")
#include "attestation/snp/sim/dev_roots.h"
#define TEE_SNP_HAVE_DEV_ROOTS 1
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
