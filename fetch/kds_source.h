// AMD KDS:
//   vcek             GET /vcek/v1/{product}/{hwid}?blSPL=&teeSPL=&snpSPL=&ucodeSPL=[&fmcSPL=]
//                    (DER), delivered with its issuer chain from
//                    GET /vcek/v1/{product}/cert_chain (PEM: ASK, ARK)
//   vcek_cert_chain  GET /vcek/v1/{product}/cert_chain
//   vlek_cert_chain  GET /vlek/v1/{product}/cert_chain (PEM: ASVK, ARK)
//   kds_crl          GET /vcek/v1/{product}/crl (DER, signed by the ARK), delivered
//                    with the ARK taken from the product's cert_chain
// hwid is CHIP_ID in lower-case hex, only its first 8 bytes on Turin; SPLs
// are decimal; fmcSPL exists exactly on Turin.
#pragma once

#include "fetch/source.h"

namespace tenzro::tee::fetch {

class KdsSource final : public Source {
 public:
  std::string_view name() const override { return "kds"; }
  Status Check(const FetchTarget& t) const override;
  std::vector<std::string> Plan(const FetchTarget& t) const override;
  Result<Bytes> Assemble(const FetchTarget& t, const std::vector<HttpResponse>& responses) const override;
};

}  // namespace tenzro::tee::fetch
