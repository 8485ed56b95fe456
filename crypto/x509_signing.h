// The signing half of crypto/x509: key generation and PEM import, ECDSA
// signing, certificate and CRL issuance. For the simulators' development
// PKIs, the test PKIs and the benches only: it lives in the testing target
// tenzro_crypto_testing, which neither tenzro_plugin nor the plugin module
// links (issue 9 item 14). Nothing here reads the clock.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"
#include "crypto/x509.h"

namespace tenzro::tee::x509 {

enum class KeyKind { kP256, kP384, kRsa2048, kRsa4096 };

class PrivateKey {
 public:
  static Result<PrivateKey> Generate(KeyKind kind);
  // PKCS#8 or traditional PEM.
  static Result<PrivateKey> FromPem(std::string_view pem);
  std::string ToPem() const;
  PublicKey public_key() const;
  // ECDSA signature as big-endian r || s, each padded to the curve size.
  Result<Bytes> EcdsaSignRaw(Digest digest, ByteView message) const;
  EVP_PKEY* get() const { return key_.get(); }

 private:
  std::shared_ptr<EVP_PKEY> key_;
};

struct NameEntry {
  std::string field;  // "CN", "O", "OU", "L", "ST", "C"
  std::string value;
};

struct ExtensionSpec {
  std::string oid;  // dotted
  Bytes value;      // content of extnValue (DER of the extension's value)
  bool critical = false;
};

enum class SigScheme { kEcdsaSha256, kEcdsaSha384, kRsaPssSha384 };

struct CertSpec {
  std::vector<NameEntry> subject;
  Bytes serial_be = {1};
  int64_t not_before = 0;
  int64_t not_after = 0;
  bool is_ca = false;
  std::optional<int> path_len;  // CA only
  std::vector<ExtensionSpec> extensions;
  SigScheme scheme = SigScheme::kEcdsaSha256;
};

// Issues a certificate for `subject_key`. issuer == nullptr: self-signed.
Result<Certificate> IssueCertificate(const CertSpec& spec, const PublicKey& subject_key,
                                     const Certificate* issuer, const PrivateKey& issuer_key);

struct CrlSpec {
  int64_t this_update = 0;
  int64_t next_update = 0;
  std::vector<Bytes> revoked_serials_be;
  SigScheme scheme = SigScheme::kEcdsaSha256;
};
Result<Crl> IssueCrl(const CrlSpec& spec, const Certificate& issuer, const PrivateKey& issuer_key);

}  // namespace tenzro::tee::x509
