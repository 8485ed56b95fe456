// Provider records from the database (issue 15): decode, and whatever
// decodes re-encodes to the same bytes (the encoding is canonical).
#include <algorithm>
#include <cstdlib>

#include "registry/provider_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tenzro::tee;
  auto r = registry::DecodeProvider(ByteView(data, size));
  if (r.ok()) {
    Bytes again = registry::EncodeProvider(*r);
    if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
  }
  return 0;
}
