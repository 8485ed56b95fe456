#include "fetch/kds_source.h"

#include "fetch/bundle.h"

namespace tenzro::tee::fetch {
namespace {

bool KnownProduct(const std::string& p) { return p == "Milan" || p == "Genoa" || p == "Turin"; }

std::string ChainPath(const FetchTarget& t) {
  return (t.kind == Kind::kVlekChain ? "/vlek/v1/" : "/vcek/v1/") + t.name + "/cert_chain";
}

std::string VcekPath(const FetchTarget& t) {
  const bool turin = t.name == "Turin";
  ByteView hwid = AsView(t.id);
  if (turin) hwid = hwid.first(8);
  std::string p = "/vcek/v1/" + t.name + "/" + ToHex(hwid) + "?blSPL=" + std::to_string(t.tcb.bl) +
                  "&teeSPL=" + std::to_string(t.tcb.tee) + "&snpSPL=" + std::to_string(t.tcb.snp) +
                  "&ucodeSPL=" + std::to_string(t.tcb.ucode);
  if (turin) p += "&fmcSPL=" + std::to_string(*t.tcb.fmc);
  return p;
}

}  // namespace

Status KdsSource::Check(const FetchTarget& t) const {
  if (t.tee_type != TeeType::AmdSevSnp || IsPcsKind(t.kind)) {
    return Error(ErrorCode::kInvalidArgument, "not an AMD KDS document: " + t.Key());
  }
  if (!KnownProduct(t.name)) {
    return Error(ErrorCode::kInvalidArgument, "KDS product must be Milan, Genoa or Turin: " + t.Key());
  }
  if (t.kind != Kind::kVcek) {
    if (!t.id.empty()) return Error(ErrorCode::kInvalidArgument, "takes no chip id: " + t.Key());
    return Status::Ok();
  }
  const bool turin = t.name == "Turin";
  if (t.id.size() != 64 && !(turin && t.id.size() == 8)) {
    return Error(ErrorCode::kInvalidArgument, "vcek needs the 64-byte chip id: " + t.Key());
  }
  if (turin != t.tcb.fmc.has_value()) {
    return Error(ErrorCode::kInvalidArgument, "fmcSPL is given exactly for Turin: " + t.Key());
  }
  return Status::Ok();
}

std::vector<std::string> KdsSource::Plan(const FetchTarget& t) const {
  switch (t.kind) {
    case Kind::kVcek:
      return {ChainPath(t), VcekPath(t)};
    case Kind::kVcekChain:
    case Kind::kVlekChain:
      return {ChainPath(t)};
    case Kind::kKdsCrl:
      return {"/vcek/v1/" + t.name + "/crl", ChainPath(t)};
    default:
      return {};
  }
}

Result<Bytes> KdsSource::Assemble(const FetchTarget& t, const std::vector<HttpResponse>& responses) const {
  if (responses.size() != Plan(t).size()) return Error(ErrorCode::kInternal, "kds: response count");
  switch (t.kind) {
    case Kind::kVcek: {
      TEE_ASSIGN_OR_RETURN(auto chain, ParseCertificates(AsView(responses[0].body), "cert_chain"));
      TEE_ASSIGN_OR_RETURN(auto leaf, ParseCertificates(AsView(responses[1].body), "vcek"));
      if (leaf.size() != 1) return Error(ErrorCode::kCollateral, "vcek: one certificate expected");
      leaf.insert(leaf.end(), chain.begin(), chain.end());
      return CertBundle(leaf);
    }
    case Kind::kVcekChain:
    case Kind::kVlekChain: {
      TEE_ASSIGN_OR_RETURN(auto chain, ParseCertificates(AsView(responses[0].body), "cert_chain"));
      return CertBundle(chain);
    }
    case Kind::kKdsCrl: {
      TEE_ASSIGN_OR_RETURN(auto crl, ParseCrlBody(AsView(responses[0].body)));
      TEE_ASSIGN_OR_RETURN(auto chain, ParseCertificates(AsView(responses[1].body), "cert_chain"));
      // Ship only the CRL's issuer (the ARK), picked by name; the verifier
      // checks the signature and pins the root.
      for (const auto& c : chain) {
        if (c.subject_der() == crl.issuer_der()) return CrlBundle(crl, {c});
      }
      return Error(ErrorCode::kCollateral, "kds crl: its issuer is not in the product's cert_chain");
    }
    default:
      return Error(ErrorCode::kInternal, "kds: not a KDS kind");
  }
}

}  // namespace tenzro::tee::fetch
