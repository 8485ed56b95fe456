// Seeds of the NVIDIA fuzz targets, from the simulator (never the shared
// vectors): make_nvidia_seeds tests/fuzz/corpus
//   nvidia_report/         a signed Hopper report (binary), its hex text, a
//                          Blackwell-style report, a report whose last TLV
//                          is overlong, the opaque data alone
//   nvidia_evidence_json/  both JSON shapes with one and two GPUs
#include <filesystem>
#include <fstream>
#include <iostream>

#include "attestation/nvidia/sim/dev_pki.h"
#include "attestation/nvidia/sim/report_builder.h"
#include "crypto/hash.h"

using namespace tenzro::tee;
using namespace tenzro::tee::nvidia;

namespace {

void Write(const std::filesystem::path& p, const std::string& s) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << s;
}
std::string Str(const Bytes& b) { return std::string(b.begin(), b.end()); }

std::string Base64(const Bytes& in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string s;
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t v = static_cast<uint32_t>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<uint32_t>(in[i + 1]) << 8;
    if (i + 2 < in.size()) v |= in[i + 2];
    s += k[(v >> 18) & 63];
    s += k[(v >> 12) & 63];
    s += i + 1 < in.size() ? k[(v >> 6) & 63] : '=';
    s += i + 2 < in.size() ? k[v & 63] : '=';
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || !crypto::InitCrypto()) {
    std::cerr << "usage: make_nvidia_seeds CORPUS_DIR\n";
    return 2;
  }
  const std::filesystem::path out = argv[1];
  sim::ChainSpec cs;
  cs.fwid.fill(0xF1);
  auto chain = sim::IssueDevChain(cs);
  if (!chain.ok()) return 1;
  sim::ReportSpec spec;
  spec.nonce.fill(0x42);
  spec.measurements = sim::HopperMeasurements();
  spec.opaque = sim::GpuOpaque("550.90.07", {0x00, 0x9f, 0x00, 0x96, 0x01, 0, 0, 0}, cs.fwid);
  auto report = sim::SignedReport(spec, chain->leaf_key());
  if (!report.ok()) return 1;
  Write(out / "nvidia_report/sim_hopper.bin", Str(*report));
  Write(out / "nvidia_report/sim_hopper.txt", ToHex(AsView(*report)) + "\n");
  Bytes opaque;
  for (const auto& f : spec.opaque) {
    PutU16Le(opaque, f.type);
    PutU16Le(opaque, static_cast<uint16_t>(f.value.size()));
    PutBytes(opaque, AsView(f.value));
  }
  Write(out / "nvidia_report/opaque_only.bin", Str(opaque));
  Bytes overlong = opaque;
  overlong[overlong.size() - 3] = 0x40;  // the last TLV's size runs past the end
  spec.raw_opaque = overlong;
  Write(out / "nvidia_report/overlong_tlv.bin", Str(sim::UnsignedReport(spec)));
  const std::string chain_pem = chain->Pem();
  const std::string pem = Base64(Bytes(chain_pem.begin(), chain_pem.end()));
  const std::string gpu =
      R"({"evidence":")" + Base64(*report) + R"(","certificate":")" + pem + "\"}";
  const std::string nonce = ToHex(AsView(spec.nonce));
  Write(out / "nvidia_evidence_json/one_gpu_list.json",
        R"([{"arch":"HOPPER","nonce":")" + nonce + R"(",)" + gpu.substr(1) + "]");
  Write(
      out / "nvidia_evidence_json/two_gpus_sdk.json",
      R"({"nonce":")" + nonce + R"(","arch":"HOPPER","evidence_list":[)" + gpu + "," + gpu + "]}");
  return 0;
}
