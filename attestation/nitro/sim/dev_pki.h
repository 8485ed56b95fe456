// The Nitro simulator's DEVELOPMENT PKI, shaped like AWS's (issue 10).
//
// A P-384 root (self-signed), regional (pathLen 2), zonal (pathLen 1) and
// instance (pathLen 0) CAs, every certificate ECDSA SHA-384 as AWS signs,
// generated ONCE by make_dev_pki.cpp and committed in dev_pki_data.cpp. They
// are NOT AWS's and their private keys are public: the verifier trusts the
// dev root (by the fingerprint in plugin/dev_roots.h) only when
// [tee.consensus] simulation = true. Leaves (3 hours, like the NSM's) are
// issued per document. Thread-safety: Dev() parses the committed PEM once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"
#include "crypto/x509.h"

namespace tenzro::tee::nitro::sim {

// Windows of the committed dev CAs: 2024-01-01T00:00:00Z .. 2049-01-01T00:00:00Z.
inline constexpr int64_t kDevCaNotBefore = 1'704'067'200;
inline constexpr int64_t kDevCaNotAfter = 2'493'072'000;
inline constexpr int64_t kLeafLifetimeSecs = 10'800;  // 3 hours
inline constexpr char kDevOrganization[] = "tenzro-tee Nitro simulator DEVELOPMENT PKI (not AWS)";

struct DevCa {
  x509::Certificate cert;
  x509::PrivateKey key;
};

struct DevPki {
  DevCa root, regional, zonal, instance;
  x509::PrivateKey leaf_key;  // P-384, the key every default leaf certifies
  // DER of root, regional, zonal, instance: a document's cabundle.
  std::vector<Bytes> Cabundle() const;
};

// Aborts if the committed data does not parse (a build defect, never input).
const DevPki& Dev();
Hash32 DevRootFingerprint();

// keyUsage extension values (critical), as AWS's certificates carry them.
x509::ExtensionSpec CaKeyUsage();    // digitalSignature, keyCertSign, cRLSign
x509::ExtensionSpec LeafKeyUsage();  // digitalSignature, nonRepudiation

// A CA certificate signed by `issuer` (null: self-signed) with the dev names.
struct CaSpec {
  std::string cn;
  std::optional<int> path_len;
  int64_t not_before = kDevCaNotBefore;
  int64_t not_after = kDevCaNotAfter;
  bool key_usage = true;
  Bytes serial_be = {1};
};
Result<x509::Certificate> IssueCa(const CaSpec& spec, const x509::PublicKey& key,
                                  const DevCa* issuer, const x509::PrivateKey& issuer_key);

// A leaf certificate. Every field can be faulted for tests.
struct LeafSpec {
  int64_t not_before = 0;
  int64_t not_after = 0;
  const x509::PrivateKey* key = nullptr;  // null: Dev().leaf_key
  const DevCa* issuer = nullptr;          // null: Dev().instance
  bool is_ca = false;
  bool key_usage = true;
  x509::SigScheme scheme = x509::SigScheme::kEcdsaSha384;
};
Result<x509::Certificate> IssueLeaf(const LeafSpec& spec);

}  // namespace tenzro::tee::nitro::sim
