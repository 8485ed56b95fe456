// Writes the seed corpora of the SNP fuzz targets from the project's own
// simulator (never from ../shared/vectors):
//
//   make_snp_seeds tests/fuzz/corpus
//
// snp_report/: the three evidence forms for each product and version, VLEK,
// masked chip id, truncated/odd tables. snp_cert_ext/: dev VCEK/VLEK DER
// certificates (hwID raw and wrapped), and bare extension values.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "attestation/snp/sim/simulator.h"
#include "crypto/hash.h"

using namespace tenzro::tee;
using namespace tenzro::tee::snp;
using format::Product;

namespace {

void Write(const std::filesystem::path& dir, const std::string& name, const Bytes& data) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary)
      .write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

sim::SimEvidence Must(Result<sim::SimEvidence> r) {
  if (!r.ok()) {
    std::fprintf(stderr, "make_snp_seeds: %s\n", r.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || !crypto::InitCrypto()) {
    std::fprintf(stderr, "usage: make_snp_seeds CORPUS_DIR\n");
    return 2;
  }
  const std::filesystem::path reports = std::filesystem::path(argv[1]) / "snp_report";
  const std::filesystem::path exts = std::filesystem::path(argv[1]) / "snp_cert_ext";
  const std::string runtime_json =
      R"({"keys":[{"kid":"HCLAkPub","kty":"RSA"}],"vm-configuration":{}})";
  const Bytes runtime(runtime_json.begin(), runtime_json.end());

  struct Case {
    Product product;
    uint32_t version;
  };
  for (Case c : {Case{Product::kMilan, 2}, Case{Product::kGenoa, 3}, Case{Product::kTurin, 5}}) {
    auto spec = sim::DefaultSimSpec(c.product);
    spec.report.version = c.version;
    auto ev = Must(sim::Simulate(spec));
    const std::string base =
        Lower(format::ProductName(c.product)) + "_v" + std::to_string(c.version);
    Write(reports, base + "_raw", ev.report);
    Write(reports, base + "_extended", ev.Extended());
    Write(exts, "vcek_" + Lower(format::ProductName(c.product)) + ".der", ev.vek.der());
  }
  {
    auto spec = sim::DefaultSimSpec(Product::kGenoa);
    spec.report.report_data = sim::HclReportData(AsView(runtime));
    auto ev = Must(sim::Simulate(spec));
    Write(reports, "genoa_v3_hcl", ev.Hcl(AsView(runtime)));
    Write(reports, "genoa_v3_extended_no_ark", ev.Extended(false));
    // A table cut inside its last certificate.
    Bytes cut = ev.Extended();
    cut.resize(cut.size() - 100);
    Write(reports, "genoa_v3_extended_truncated", cut);
  }
  {
    auto spec = sim::DefaultSimSpec(Product::kMilan);
    spec.report.signing_key = format::kSigningKeyVlek;
    spec.report.mask_chip_id = true;
    spec.report.vmpl = 1;
    auto ev = Must(sim::Simulate(spec));
    Write(reports, "milan_v3_vlek_masked_extended", ev.Extended());
    Write(exts, "vlek_milan.der", ev.vek.der());
  }
  {
    // Version 4 (seen on GCE) and a debug, MIGRATE_MA policy.
    auto spec = sim::DefaultSimSpec(Product::kMilan);
    spec.report.version = 4;
    spec.report.policy |= (1ull << format::kPolicyBitDebug) | (1ull << format::kPolicyBitMigrateMa);
    Write(reports, "milan_v4_debug_raw", Must(sim::Simulate(spec)).report);
  }
  {
    auto spec = sim::DefaultSimSpec(Product::kTurin);
    auto vek = sim::VekSpecFor(spec.report);
    vek.hwid_in_octet_string = true;
    spec.vek = vek;
    Write(exts, "vcek_turin_hwid_wrapped.der", Must(sim::Simulate(spec)).vek.der());
  }
  // Bare extension values: INTEGER SPL, wrapped SPL, IA5String, raw hwID.
  Write(exts, "value_spl", Bytes{0x02, 0x01, 0x17});
  Write(exts, "value_spl_wrapped", Bytes{0x04, 0x03, 0x02, 0x01, 0x54});
  Write(exts, "value_name", Bytes{0x16, 0x05, 'G', 'e', 'n', 'o', 'a'});
  Write(exts, "value_hwid_raw", Bytes(64, 0x5a));
  std::fprintf(stderr, "wrote %s and %s\n", reports.c_str(), exts.c_str());
  return 0;
}
