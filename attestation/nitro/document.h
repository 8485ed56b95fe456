// AWS Nitro Enclaves attestation documents (stage 1: pure parsing, issue 10).
//
// A document is a COSE_Sign1 (RFC 9052 §4.2), untagged or under CBOR tag 18:
//   [protected: bstr, unprotected: map, payload: bstr, signature: bstr]
// whose payload is the attestation document map of the NSM API
// (aws/aws-nitro-enclaves-nsm-api, docs/attestation_process.md §3.2.2).
// CBOR is decoded with libcbor's item decoder into a bounds-checked tree,
// strictly: definite lengths only, no trailing bytes, at most kMaxDepth
// levels and kMaxItems items, no duplicate map keys, no floats, no tag but
// the top-level 18. Payload keys are looked up by name, never by position.
//
// Tolerances (real NSM output breaks the letter of §3.2.2; each one is seen
// in documents from production enclaves, shared vectors MANIFEST.md):
//   - public_key, user_data, nonce: absent, CBOR null, or a byte string of
//     0..1024 bytes (null means absent; an empty user_data is kept empty).
//   - pcrs: 1..32 entries, indices in [0, 32), values of 32, 48 or 64 bytes
//     (16 entries usually, 17 when PCR16 is extended).
//   - unknown text keys of the payload are ignored (they are signed; a
//     future NSM field must not make every genuine document malformed);
//     a non-text key is malformed.
//   - the unprotected header may be any map; it is not signed and not read.
// Errors: kUnsupported for an algorithm we do not verify (protected alg other
// than ES384 (-35), a `crit` header, digest other than "SHA384"); anything
// else kInvalidArgument (the verdict's `malformed`).
//
// The protected header and payload keep the bytes exactly as received: the
// signature covers them (SigStructure). Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"

namespace tenzro::tee::nitro {

inline constexpr size_t kMaxDocumentBytes = 32 * 1024;
inline constexpr size_t kMaxDepth = 8;
inline constexpr size_t kMaxItems = 1024;
inline constexpr size_t kMaxOptionalBytes = 1024;  // public_key, user_data, nonce
inline constexpr size_t kMaxCabundle = 8;          // root + intermediates
inline constexpr size_t kMaxCertBytes = 4096;
inline constexpr uint32_t kPcrCount = 32;
inline constexpr int64_t kAlgEs384 = -35;
inline constexpr uint64_t kCoseSign1Tag = 18;
inline constexpr size_t kSignatureBytes = 96;  // P-384 r || s

struct Document {
  bool tagged = false;     // CBOR tag 18 present
  Bytes protected_header;  // bstr content as received (CBOR map)
  Bytes payload;           // bstr content as received (CBOR map)
  Bytes signature;         // kSignatureBytes, raw r || s
  std::string module_id;
  uint64_t timestamp_ms = 0;
  std::map<uint32_t, Bytes> pcrs;  // index -> value
  Bytes certificate;               // leaf, DER
  std::vector<Bytes> cabundle;     // DER, root first
  std::optional<Bytes> public_key, user_data, nonce;
};

Result<Document> ParseDocument(ByteView data);

// Sig_structure = ["Signature1", protected, h'', payload] (RFC 9052 §4.4),
// the exact bytes ES384 signs.
Bytes SigStructure(const Document& doc);

}  // namespace tenzro::tee::nitro
