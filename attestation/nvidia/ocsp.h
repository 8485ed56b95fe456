// OCSP responses (RFC 6960) for the NVIDIA device chain: a bounds-checked
// DER parser (crypto/der.h) of OCSPResponse / BasicOCSPResponse. No policy,
// no clock; the signature is checked by the verifier (nvidia_verifier.cpp)
// over tbs_der with the responder certificate's key.
//
// Accepted: responseStatus successful, responseType id-pkix-ocsp-basic,
// ECDSA signatures (ecdsa-with-SHA256/384), CertIDs hashed with SHA-256 or
// SHA-384 (kUnsupported otherwise: this verifier hashes no SHA-1), at least
// one and at most 16 SingleResponses, a nextUpdate in each.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"
#include "crypto/x509.h"

namespace tenzro::tee::nvidia {

enum class OcspStatus : uint8_t { kGood = 0, kRevoked = 1, kUnknown = 2 };
inline constexpr uint8_t kReasonCertificateHold = 6;  // CRLReason

struct OcspSingle {
  x509::Digest hash = x509::Digest::kSha384;  // CertID hashAlgorithm
  Bytes issuer_name_hash, issuer_key_hash;
  Bytes serial;  // minimal big-endian magnitude (as x509::Certificate::serial)
  OcspStatus status = OcspStatus::kUnknown;
  std::optional<uint8_t> reason;  // revoked only, when given
  int64_t this_update = 0, next_update = 0;
};

struct OcspResponse {
  Bytes tbs_der;  // ResponseData, the signed bytes
  x509::Digest sig_digest = x509::Digest::kSha384;
  Bytes sig_r, sig_s;        // ECDSA-Sig-Value, big-endian
  std::vector<Bytes> certs;  // DER of the certificates it carries
  std::vector<OcspSingle> responses;
};

// True when data starts like a DER OCSPResponse (cheap pre-check).
bool LooksLikeOcsp(ByteView data);
Result<OcspResponse> ParseOcspResponse(ByteView der);

}  // namespace tenzro::tee::nvidia
