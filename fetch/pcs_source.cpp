#include "fetch/pcs_source.h"

#include <cctype>

#include "fetch/bundle.h"

namespace tenzro::tee::fetch {
namespace {

std::string UpperHex(ByteView b) {
  std::string h = ToHex(b);
  for (char& c : h) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return h;
}

std::string Flavour(TeeType t) { return t == TeeType::IntelTdx ? "/tdx" : "/sgx"; }

}  // namespace

Status PcsSource::Check(const FetchTarget& t) const {
  if (t.tee_type != TeeType::IntelTdx && t.tee_type != TeeType::IntelSgx) {
    return Error(ErrorCode::kInvalidArgument,
                 "Intel PCS serves IntelTdx and IntelSgx only: " + t.Key());
  }
  switch (t.kind) {
    case Kind::kTcbInfo:
      if (t.id.size() != 6 || !t.name.empty()) {
        return Error(ErrorCode::kInvalidArgument, "tcb_info needs a 6-byte FMSPC: " + t.Key());
      }
      return Status::Ok();
    case Kind::kPckCrl:
      if ((t.name != "platform" && t.name != "processor") || !t.id.empty()) {
        return Error(ErrorCode::kInvalidArgument,
                     "pck_crl needs ca platform or processor: " + t.Key());
      }
      return Status::Ok();
    case Kind::kQeIdentity:
    case Kind::kRootCaCrl:
      if (!t.name.empty() || !t.id.empty()) {
        return Error(ErrorCode::kInvalidArgument,
                     std::string(KindName(t.kind)) + " takes no key: " + t.Key());
      }
      return Status::Ok();
    default:
      return Error(ErrorCode::kInvalidArgument, "not an Intel PCS document: " + t.Key());
  }
}

std::vector<std::string> PcsSource::Plan(const FetchTarget& t) const {
  switch (t.kind) {
    case Kind::kTcbInfo:
      return {Flavour(t.tee_type) + "/certification/v4/tcb?fmspc=" + UpperHex(AsView(t.id))};
    case Kind::kQeIdentity:
      return {Flavour(t.tee_type) + "/certification/v4/qe/identity"};
    case Kind::kPckCrl:
      return {"/sgx/certification/v4/pckcrl?ca=" + t.name + "&encoding=der"};
    case Kind::kRootCaCrl:
      // The verifiers pin the root by its hash, so the CRL travels with the
      // root certificate; PCS has no root endpoint of its own, but every
      // issuer chain ends with it: the QE Identity's is the smallest.
      return {"/sgx/certification/v4/rootcacrl", "/sgx/certification/v4/qe/identity"};
    default:
      return {};
  }
}

Result<Bytes> PcsSource::Assemble(const FetchTarget& t,
                                  const std::vector<HttpResponse>& responses) const {
  if (responses.size() != Plan(t).size()) return Error(ErrorCode::kInternal, "pcs: response count");
  const HttpResponse& r = responses[0];
  switch (t.kind) {
    case Kind::kTcbInfo: {
      // v3 of the API named the header with an SGX- prefix; PCCS still does.
      TEE_ASSIGN_OR_RETURN(
          auto chain, IssuerChainHeader(r, {"TCB-Info-Issuer-Chain", "SGX-TCB-Info-Issuer-Chain"}));
      return JsonBundle(AsView(r.body), chain);
    }
    case Kind::kQeIdentity: {
      TEE_ASSIGN_OR_RETURN(auto chain, IssuerChainHeader(r, {"SGX-Enclave-Identity-Issuer-Chain",
                                                             "Enclave-Identity-Issuer-Chain"}));
      return JsonBundle(AsView(r.body), chain);
    }
    case Kind::kPckCrl: {
      TEE_ASSIGN_OR_RETURN(auto chain, IssuerChainHeader(r, {"SGX-PCK-CRL-Issuer-Chain"}));
      TEE_ASSIGN_OR_RETURN(auto crl, ParseCrlBody(AsView(r.body)));
      return CrlBundle(crl, chain);
    }
    case Kind::kRootCaCrl: {
      TEE_ASSIGN_OR_RETURN(auto crl, ParseCrlBody(AsView(r.body)));
      TEE_ASSIGN_OR_RETURN(auto chain,
                           IssuerChainHeader(responses[1], {"SGX-Enclave-Identity-Issuer-Chain",
                                                            "Enclave-Identity-Issuer-Chain"}));
      // Only the CRL's issuer, picked by name; the verifier checks the
      // signature and the pin.
      for (const auto& c : chain) {
        if (c.subject_der() == crl.issuer_der()) return CrlBundle(crl, {c});
      }
      return Error(ErrorCode::kCollateral,
                   "root CA CRL: its issuer is not in the QE Identity issuer chain");
    }
    default:
      return Error(ErrorCode::kInternal, "pcs: not a PCS kind");
  }
}

}  // namespace tenzro::tee::fetch
