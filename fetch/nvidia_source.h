// NVIDIA's collateral services (issue 11), off the consensus path:
//   nvidia_rim   GET {rim_url}/{RIM ID} (NVIDIA's RIM service, default
//                https://rim.attestation.nvidia.com/v1/rim): JSON {"id", "rim":
//                base64 of the SWID XML, "sha256"?, ...}; the blob handed on is
//                the XML (kind nvidia_rim), after "id" (= the RIM ID asked for)
//                and "sha256" (when given, of the XML) were checked.
//   nvidia_ocsp  POST {ocsp_url}/ of a DER OCSPRequest (RFC 6960) for one
//                device certificate (CertID hashed with SHA-384, as NVIDIA's
//                verifier does) with a fresh 32-byte nonce extension
//                (default https://ocsp.ndis.nvidia.com); the response must be
//                successful, about that serial, and answer the request's
//                nonce (OpenSSL's OCSP_check_nonce); the blob is its DER.
// What the blob then must pass is the NVIDIA verifier's ParseCollateral at
// the fetch time (Fetcher::Complete): the RIM's XML-DSig, signer chain to the
// pinned CoRIM root; the OCSP response's signature and responder chain to the
// pinned device root. The fetcher refuses a document whose window ended
// (RIM signer chain, OCSP nextUpdate).
#pragma once

#include "fetch/source.h"

namespace tenzro::tee::fetch {

inline constexpr char kNvidiaRimUrl[] = "https://rim.attestation.nvidia.com/v1/rim";
inline constexpr char kNvidiaOcspUrl[] = "https://ocsp.ndis.nvidia.com";
inline constexpr size_t kMaxRimIdChars = 128;

class NvidiaRimSource final : public Source {
 public:
  std::string_view name() const override { return "nvidia_rim"; }
  // A RIM ID of 1..128 characters [A-Za-z0-9_.-].
  Status Check(const FetchTarget& t) const override;
  // GET /<RIM ID>.
  std::vector<std::string> Plan(const FetchTarget& t) const override;
  // The XML of the JSON's "rim" (base64), after "id" and "sha256" checks.
  Result<Bytes> Assemble(const FetchTarget& t,
                         const std::vector<HttpResponse>& responses) const override;
};

class NvidiaOcspSource final : public Source {
 public:
  std::string_view name() const override { return "nvidia_ocsp"; }
  // id = the certificate's DER followed by its issuer's DER.
  Status Check(const FetchTarget& t) const override;
  std::vector<std::string> Plan(const FetchTarget& t) const override;
  // One OCSP request with a fresh random nonce (empty on failure: the fetch
  // then fails as a GET the responder refuses).
  std::vector<std::optional<PostBody>> Bodies(const FetchTarget& t) const override;
  Result<Bytes> Assemble(const FetchTarget& t,
                         const std::vector<HttpResponse>& responses) const override;
  Result<Bytes> AssembleSent(const FetchTarget& t, const std::vector<std::optional<PostBody>>& sent,
                             const std::vector<HttpResponse>& responses) const override;
};

// The DER OCSPRequest for (cert, issuer) with `nonce` (exposed for tests).
Result<Bytes> OcspRequestDer(ByteView cert_der, ByteView issuer_der, ByteView nonce);
// The nonce of a DER OCSPRequest (the octets inside its nonce extension).
Result<Bytes> OcspRequestNonce(ByteView request_der);

}  // namespace tenzro::tee::fetch
