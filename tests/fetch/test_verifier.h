// A test VendorVerifier whose ParseCollateral really authenticates what the
// fetchers deliver, so the fetcher tests do not depend on the TDX and SNP
// verifiers (built in parallel on other branches). It reads the bundle
// convention:
//   - Intel JSON (TCB Info, QE Identity) + PEM issuer chain: the chain must
//     lead to a pinned root (IssuedBy at each link), and the document's
//     ECDSA-P256 signature must verify, under the chain's leaf key, over the
//     exact bytes of its "tcbInfo"/"enclaveIdentity" value;
//   - a CRL (DER, or PEM + issuer chain): signed by the chain's first
//     certificate (or by a pinned root), the chain leading to a pinned root;
//   - PEM certificates (KDS): each IssuedBy the next, the last a pinned root
//     or issued by one.
// Windows come from the documents (issueDate/nextUpdate, thisUpdate/
// nextUpdate, certificate validity). Like the real verifiers it does not
// reject a document for its age: ParseCollateral authenticates; staleness at
// fetch time is the fetcher's check.
// When the real verifiers are merged, the tests switch to TdxVerifier and
// SnpVerifier (see the fetch report).
#pragma once

#include <vector>

#include "attestation/verifier.h"
#include "crypto/x509.h"

namespace tenzro::tee::testing {

class TestCollateralVerifier final : public VendorVerifier {
 public:
  TestCollateralVerifier(TeeType type, std::vector<x509::Certificate> pinned_roots)
      : type_(type), roots_(std::move(pinned_roots)) {}
  TeeType type() const override { return type_; }
  Result<Verdict> Verify(const VerifyRequest& req) const override;
  Result<CollateralDoc> ParseCollateral(ByteView data, const CollateralSet& known,
                                        uint64_t now) const override;

 private:
  Status CheckChain(const std::vector<x509::Certificate>& chain) const;
  Result<CollateralDoc> ParseJson(ByteView data) const;
  Result<CollateralDoc> ParseCrl(ByteView data) const;
  Result<CollateralDoc> ParseCerts(ByteView data) const;

  TeeType type_;
  std::vector<x509::Certificate> roots_;
};

// The exact bytes of the value of `"key":` (an object) inside a JSON text,
// found by a small scanner that honours strings and escapes; empty if absent.
ByteView JsonObjectValue(ByteView json, std::string_view key);

// "2025-06-19T10:00:34Z" -> unix seconds; nullopt if malformed.
std::optional<uint64_t> ParseIsoTime(const std::string& s);

}  // namespace tenzro::tee::testing
