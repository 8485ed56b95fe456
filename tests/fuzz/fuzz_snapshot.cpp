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
  // Reports: the current encoding (2) re-encodes byte for byte; an older
  // one (1, before providers) decodes to what its re-encoding decodes to.
  auto r = consensus::DecodeReport(ByteView(data, size));
  if (r.ok()) {
    const Bytes again = consensus::EncodeReport(*r);
    if (size > 0 && data[0] == 2 &&
        (again.size() != size || !std::equal(again.begin(), again.end(), data)))
      std::abort();
    auto back = consensus::DecodeReport(AsView(again));
    if (!back.ok() || !(*back == *r)) std::abort();
  }
  return 0;
}
