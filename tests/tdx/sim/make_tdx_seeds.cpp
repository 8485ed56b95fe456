// Writes the seed corpora of the TDX fuzz targets from the simulator (never
// from ../shared/vectors):  tdx_make_seeds tests/fuzz/corpus
//   tdx_quote/       quotes of every format, one padded, one with a broken length
//   tdx_collateral/  TCB Info (TDX, SGX, a bare value), QE Identity (TD_QE, QE), CRLs (PEM, DER)
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "attestation/tdx/sim/scenario.h"
#include "crypto/hash.h"

using namespace tenzro::tee;
using namespace tenzro::tee::tdx::sim;

namespace {
bool Write(const std::filesystem::path& dir, const std::string& name, const Result<Bytes>& data) {
  if (!data.ok()) {
    std::fprintf(stderr, "tdx_make_seeds: %s: %s\n", name.c_str(),
                 data.status().ToString().c_str());
    return false;
  }
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary)
      .write(reinterpret_cast<const char*>(data->data()),
             static_cast<std::streamsize>(data->size()));
  return true;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || !crypto::InitCrypto()) return 2;
  const std::filesystem::path quotes = std::filesystem::path(argv[1]) / "tdx_quote";
  const std::filesystem::path coll = std::filesystem::path(argv[1]) / "tdx_collateral";
  bool ok = true;

  BindingInput binding;
  binding.validator_id[0] = 1;
  binding.challenge[0] = 2;
  Scenario v4 = Scenario::Tdx(QuoteFormat::kTdxV4);
  v4.quote.binding = binding;
  ok &= Write(quotes, "tdx_v4", v4.Quote());
  v4.quote.faults.trailing_zeros = 70;
  ok &= Write(quotes, "tdx_v4_padded", v4.Quote());
  v4.quote.faults = {};
  v4.quote.faults.inner_cert_size_delta = 4096;
  ok &= Write(quotes, "tdx_v4_long_cert_size", v4.Quote());
  ok &= Write(quotes, "tdx_v5_td10", Scenario::Tdx(QuoteFormat::kTdxV5Td10).Quote());
  ok &= Write(quotes, "tdx_v5_td15", Scenario::Tdx(QuoteFormat::kTdxV5Td15).Quote());
  ok &= Write(quotes, "sgx_v3", Scenario::Sgx().Quote());
  ok &= Write(quotes, "sgx_v5", Scenario::Sgx(kSimNow, QuoteFormat::kSgxV5).Quote());

  Scenario tdx = Scenario::Tdx();
  Scenario sgx = Scenario::Sgx();
  ok &= Write(coll, "tcb_info_tdx", MakeTcbInfo(tdx.tcb_info));
  ok &= Write(coll, "tcb_info_sgx", MakeTcbInfo(sgx.tcb_info));
  ok &= Write(coll, "qe_identity_td_qe", MakeQeIdentity(tdx.qe_identity));
  ok &= Write(coll, "qe_identity_qe", MakeQeIdentity(sgx.qe_identity));
  const std::string body = TcbInfoValueText(tdx.tcb_info);
  ok &= Write(coll, "tcb_info_tdx_value", Bytes(body.begin(), body.end()));
  tdx.pck_crl.revoked_serials = {Dev().pck_sgx.cert.serial()};
  ok &= Write(coll, "pck_crl_pem_chain", MakePckCrl(tdx.pck_crl));
  tdx.root_crl.encoding = CrlEncoding::kDer;
  ok &= Write(coll, "root_ca_crl_der", MakeRootCaCrl(tdx.root_crl));
  return ok ? 0 : 1;
}
