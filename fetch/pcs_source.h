// Intel PCS (and PCCS), API v4:
//   tcb_info     GET /{tdx|sgx}/certification/v4/tcb?fmspc=HEX   TCB-Info-Issuer-Chain
//   qe_identity  GET /{tdx|sgx}/certification/v4/qe/identity      SGX-Enclave-Identity-Issuer-Chain
//   pck_crl      GET /sgx/certification/v4/pckcrl?ca=platform|processor&encoding=der
//                                                                 SGX-PCK-CRL-Issuer-Chain
//   root_ca_crl  GET /sgx/certification/v4/rootcacrl              (PCCS: hex text of the DER;
//                                                                  DER and PEM accepted too)
// Issuer chains come percent-encoded PEM in the headers. PCK CRLs and the
// Root CA CRL are shared by TDX and SGX: the sgx path serves both types.
#pragma once

#include "fetch/source.h"

namespace tenzro::tee::fetch {

class PcsSource final : public Source {
 public:
  std::string_view name() const override { return "pcs"; }
  Status Check(const FetchTarget& t) const override;
  std::vector<std::string> Plan(const FetchTarget& t) const override;
  Result<Bytes> Assemble(const FetchTarget& t, const std::vector<HttpResponse>& responses) const override;
};

}  // namespace tenzro::tee::fetch
