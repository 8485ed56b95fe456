// Epoch snapshots and reports from the database: decode, canonical re-encode,
// and any decoded snapshot builds a table or fails with a status.
#include <algorithm>
#include <cstdlib>

#include "consensus_hooks/leader.h"
#include "crypto/hash.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tenzro::tee;
  static const bool init = crypto::InitCrypto();
  (void)init;
  auto s = consensus::DecodeSnapshot(ByteView(data, size));
  if (s.ok()) {
    Bytes again = consensus::EncodeSnapshot(*s);
    if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
    auto t = consensus::LeaderTable::Build(*s);
    if (t.ok() && t->LeaderIndex(0) >= t->size()) std::abort();
  }
  auto r = consensus::DecodeReport(ByteView(data, size));
  if (r.ok() && consensus::EncodeReport(*r).size() != size) std::abort();
  return 0;
}
