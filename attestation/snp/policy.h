// Chain policy of the SNP verifier ([tee.consensus.snp], DESIGN §10 defaults).
#pragma once

namespace tenzro::tee::snp {

struct Policy {};

}  // namespace tenzro::tee::snp
