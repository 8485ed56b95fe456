// A minimal DER writer for the simulators' certificate extensions and
// messages (Intel's SGX extension tree of PCK certificates, NVIDIA's device
// certificates and OCSP responses). crypto/der.h only reads DER and
// x509::ExtensionSpec takes the extension value as DER bytes, so the
// simulators encode the few universal types they need here. Testing-grade
// (tenzro_crypto_testing): not used by any verifier.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/bytes.h"

namespace tenzro::tee::crypto::derw {

// One TLV with a definite length (short or long form).
Bytes Tlv(uint8_t tag, ByteView content);
// OBJECT IDENTIFIER from dotted text. REQUIRES: at least two arcs, a valid OID.
Bytes Oid(std::string_view dotted);
// Non-negative INTEGER, minimal encoding.
Bytes Integer(uint64_t v);
Bytes Enumerated(uint64_t v);
Bytes Boolean(bool v);
Bytes OctetString(ByteView v);
// SEQUENCE of already-encoded elements, in order.
Bytes Sequence(const std::vector<Bytes>& elements);

}  // namespace tenzro::tee::crypto::derw
