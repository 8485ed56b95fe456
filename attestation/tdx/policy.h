// Chain policy of the TDX verifier ([tee.consensus.tdx], DESIGN §10 defaults).
#pragma once

namespace tenzro::tee::tdx {

struct Policy {};

}  // namespace tenzro::tee::tdx
