// Placeholder until make_dev_pki.cpp writes the development PKI.
#include "attestation/snp/sim/dev_pki_data.h"

namespace tenzro::tee::snp::sim::data {
const DevPkiPem kDevPkiPem[3] = {};
}  // namespace tenzro::tee::snp::sim::data
