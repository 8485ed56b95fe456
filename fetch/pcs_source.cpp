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
    return Error(ErrorCode::kInvalidArgument, "Intel PCS serves IntelTdx and IntelSgx only: " + t.Key());
  }
  switch (t.kind) {
    case Kind::kTcbInfo:
      if (t.id.size() != 6 || !t.name.empty()) {
        return Error(ErrorCode::kInvalidArgument, "tcb_info needs a 6-byte FMSPC: " + t.Key());
      }
      return Status::Ok();
    case Kind::kPckCrl:
      if ((t.name != "platform" && t.name != "processor") || !t.id.empty()) {
        return Error(ErrorCode::kInvalidArgument, "pck_crl needs ca platform or processor: " + t.Key());
      }
      return Status::Ok();
    case Kind::kQeIdentity:
    case Kind::kRootCaCrl:
      if (!t.name.empty() || !t.id.empty()) {
        return Error(ErrorCode::kInvalidArgument, std::string(KindName(t.kind)) + " takes no key: " + t.Key());
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
      return {"/sgx/certification/v4/rootcacrl"};
    default:
      return {};
  }
}

Result<Bytes> PcsSource::Assemble(const FetchTarget& t, const std::vector<HttpResponse>& responses) const {
  if (responses.size() != 1) return Error(ErrorCode::kInternal, "pcs: one response expected");
  const HttpResponse& r = responses[0];
  switch (t.kind) {
    case Kind::kTcbInfo: {
      // v3 of the API named the header with an SGX- prefix; PCCS still does.
      TEE_ASSIGN_OR_RETURN(auto chain,
                           IssuerChainHeader(r, {"TCB-Info-Issuer-Chain", "SGX-TCB-Info-Issuer-Chain"}));
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
      // Signed by the pinned root itself: no chain to ship.
      TEE_ASSIGN_OR_RETURN(auto crl, ParseCrlBody(AsView(r.body)));
      return CrlBundle(crl, {});
    }
    default:
      return Error(ErrorCode::kInternal, "pcs: not a PCS kind");
  }
}

}  // namespace tenzro::tee::fetch
