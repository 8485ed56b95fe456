// Validator records from the database: decode, and whatever decodes
// re-encodes to the same bytes (the encoding is canonical).
#include <algorithm>
#include <cstdlib>

#include "registry/record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tenzro::tee;
  auto r = registry::DecodeRecord(ByteView(data, size));
  if (r.ok()) {
    Bytes again = registry::EncodeRecord(*r);
    if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
  }
  return 0;
}
