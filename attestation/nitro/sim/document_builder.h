// The Nitro simulator's attestation-document generator (issue 10): a
// COSE_Sign1 over the NSM's payload map, untagged or under tag 18, with any
// PCRs, nonce, user data, public key and timestamp, signed ES384 by a leaf of
// the development PKI (dev_pki.h). Every field can be faulted for tests.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "attestation/binding.h"
#include "attestation/nitro/sim/dev_pki.h"
#include "core/bytes.h"
#include "core/status.h"

namespace tenzro::tee::nitro::sim {

// 16 PCRs of 48 bytes: PCR0..2 a production-looking image (non-zero), the
// rest zero, as an enclave that extends no user PCR reports.
std::map<uint32_t, Bytes> DefaultPcrs();
// PCR0, PCR1, PCR2 zero: what a --debug-mode enclave reports.
std::map<uint32_t, Bytes> DebugPcrs();

struct DocumentSpec {
  std::string module_id = "i-0de0123456789abcd-enc0123456789abcdef";
  uint64_t timestamp_ms = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
  std::map<uint32_t, Bytes> pcrs = DefaultPcrs();
  std::optional<Bytes> public_key, user_data, nonce;
  bool null_for_absent = true;  // absent optionals as CBOR null, as the NSM writes them
  bool tagged = false;          // CBOR tag 18
  std::string digest = "SHA384";
  int64_t alg = -35;  // ES384
  // Default: a leaf for [timestamp - 1 s, + 3 h] under Dev().instance.
  std::optional<x509::Certificate> leaf;
  const x509::PrivateKey* signing_key = nullptr;  // null: Dev().leaf_key
  std::optional<std::vector<Bytes>> cabundle;     // null: Dev().Cabundle()
};

Result<Bytes> MakeDocument(const DocumentSpec& spec);

// The nonce that binds a document to (validator key, challenge) (DESIGN §4).
Bytes BindingNonce(const BindingInput& binding);

}  // namespace tenzro::tee::nitro::sim
