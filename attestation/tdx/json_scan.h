// A small scanner that finds the exact bytes of top-level member values in a
// JSON object, so a signature over "the bytes of the tcbInfo value as they
// appear in the document" is checked over those bytes and nothing
// re-serialized. It validates only the outer structure (balanced brackets,
// terminated strings, commas and colons in place); the member values it
// returns are parsed afterwards by a real JSON parser.
#pragma once

#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"

namespace tenzro::tee::tdx {

struct JsonMember {
  ByteView key;    // raw bytes between the quotes (escapes not decoded)
  ByteView value;  // the value's bytes exactly as written
};

struct ScannedObject {
  std::vector<JsonMember> members;
  size_t end = 0;  // offset just past the closing brace
};

// Scans the object starting at the first non-whitespace byte of `text`.
// Bytes after the object are not looked at (callers decide what may follow).
Result<ScannedObject> ScanJsonObject(ByteView text);

// The value of the only member whose raw key is `key`; kInvalidArgument when
// absent or present more than once.
Result<ByteView> UniqueMember(const ScannedObject& obj, std::string_view key);

// The content of a JSON string value without escapes (e.g. a hex signature).
Result<std::string> PlainJsonString(ByteView value);

}  // namespace tenzro::tee::tdx
