// The NVIDIA simulator's development OCSP responder: DER OCSP responses
// (RFC 6960, id-pkix-ocsp-basic, ecdsa-with-SHA384, CertID hashed with
// SHA-384) about device-chain certificates, signed by a responder
// certificate issued by the development root and carried in the response.
// Signing goes through crypto/x509_signing.h (the project's OpenSSL library
// context). A TESTING library: never linked into the plugin.
#pragma once

#include <cstdint>
#include <optional>

#include "attestation/nvidia/ocsp.h"
#include "attestation/nvidia/sim/dev_pki.h"

namespace tenzro::tee::nvidia::sim {

struct OcspAnswer {
  OcspStatus status = OcspStatus::kGood;
  std::optional<uint8_t> reason;  // revoked: CRLReason (6 = certificateHold)
  int64_t this_update = kDevNotBefore;
  int64_t next_update = kDevNotAfter;
  // When set, the response carries the nonce extension (RFC 8954:
  // extnValue = OCTET STRING { nonce }), as a responder answering a
  // request's nonce does.
  std::optional<Bytes> nonce;
};

class DevOcspResponder {
 public:
  // A responder certificate issued by `issuer` (the dev root by default).
  static Result<DevOcspResponder> Make(const DevCert& issuer = DevRoot());
  // The response about `subject`, issued by `issuer`.
  Result<Bytes> Respond(const x509::Certificate& subject, const x509::Certificate& issuer,
                        const OcspAnswer& answer) const;
  const DevCert& responder() const { return responder_; }

 private:
  explicit DevOcspResponder(DevCert responder) : responder_(std::move(responder)) {}
  DevCert responder_;
};

}  // namespace tenzro::tee::nvidia::sim
