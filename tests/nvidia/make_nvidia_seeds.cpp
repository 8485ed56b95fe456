// Seeds of the NVIDIA fuzz targets, from the simulator (never the shared
// vectors): make_nvidia_seeds tests/fuzz/corpus
//   nvidia_report/         a signed Hopper report (binary), its hex text, a
//                          Blackwell-style report, a report whose last TLV
//                          is overlong, the opaque data alone
//   nvidia_evidence_json/  both JSON shapes with one and two GPUs
//   nvidia_ocsp/           good and revoked (certificateHold) OCSP responses
#include <filesystem>
#include <fstream>
#include <iostream>

#include "attestation/nvidia/sim/dev_pki.h"
#include "attestation/nvidia/sim/ocsp_responder.h"
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
  const std::string pem =
      sim::Base64(ByteView(reinterpret_cast<const uint8_t*>(chain_pem.data()), chain_pem.size()));
  const std::string gpu =
      R"({"evidence":")" + sim::Base64(AsView(*report)) + R"(","certificate":")" + pem + "\"}";
  const std::string nonce = ToHex(AsView(spec.nonce));
  Write(out / "nvidia_evidence_json/one_gpu_list.json",
        R"([{"arch":"HOPPER","nonce":")" + nonce + R"(",)" + gpu.substr(1) + "]");
  Write(
      out / "nvidia_evidence_json/two_gpus_sdk.json",
      R"({"nonce":")" + nonce + R"(","arch":"HOPPER","evidence_list":[)" + gpu + "," + gpu + "]}");
  auto responder = sim::DevOcspResponder::Make();
  if (!responder.ok()) return 1;
  sim::OcspAnswer hold;
  hold.status = OcspStatus::kRevoked;
  hold.reason = kReasonCertificateHold;
  auto good = responder->Respond(chain->certs[2].cert, chain->certs[3].cert, {});
  auto held = responder->Respond(chain->certs[1].cert, chain->certs[2].cert, hold);
  if (!good.ok() || !held.ok()) return 1;
  Write(out / "nvidia_ocsp/good_ica.der", Str(*good));
  Write(out / "nvidia_ocsp/hold_brom.der", Str(*held));
  return 0;
}
