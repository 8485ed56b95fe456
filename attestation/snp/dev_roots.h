// The SEV-SNP simulator's development ARK pins, as the verifier knows them.
//
// The pins themselves are generated with the development PKI and committed
// by the simulator (attestation/snp/sim/dev_roots.h, header-only). A chain
// ending in one of these ARKs is trusted only when [tee] simulation = true
// (DESIGN §8); otherwise the verdict carries simulation_disabled.
#pragma once

#include <vector>

#include "attestation/snp/report_format.h"
#include "core/bytes.h"

namespace tenzro::tee::snp {

struct DevArk {
  format::Product product = format::Product::kUnknown;
  Hash32 sha256{};  // SHA-256 of the dev ARK's DER
};

// Every dev ARK pin of the simulator in this tree (empty when the simulator
// is not part of the build). Thread-safe (a static initialised once).
const std::vector<DevArk>& BuiltinDevArks();

}  // namespace tenzro::tee::snp
