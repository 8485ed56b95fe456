// Writes the seeds of fuzz_nvidia_rim and fuzz_nvidia_eat from the simulators
// (never from the shared vectors): usage make_nvidia_rim_seeds CORPUS_DIR
// (tests/fuzz/corpus), writing CORPUS_DIR/nvidia_rim/* and nvidia_eat/*.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "attestation/nvidia/sim/nras_signer.h"
#include "attestation/nvidia/sim/rim_signer.h"
#include "crypto/hash.h"

namespace fs = std::filesystem;
using namespace tenzro::tee::nvidia;

namespace {

void Write(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || !tenzro::tee::crypto::InitCrypto()) {
    std::fprintf(stderr, "usage: make_nvidia_rim_seeds CORPUS_DIR\n");
    return 2;
  }
  const fs::path rim_dir = fs::path(argv[1]) / "nvidia_rim";
  const fs::path eat_dir = fs::path(argv[1]) / "nvidia_eat";
  fs::create_directories(rim_dir);
  fs::create_directories(eat_dir);
  auto driver = sim::SpecWithMeasurements("550.90.07", 0, 8, 1);
  driver.measurements[2].active = false;
  driver.measurements[3].alternatives.push_back(tenzro::tee::Bytes(48, 0xee));
  auto vbios = sim::SpecWithMeasurements("96.00.9F.00.01", 8, 4, 2);
  for (const auto& [name, spec] : {std::pair{"driver.xml", driver}, {"vbios.xml", vbios}}) {
    auto xml = sim::MakeRim(spec);
    if (!xml.ok()) return 1;
    Write(rim_dir / name, *xml);
  }
  Write(rim_dir / "unsigned.xml", sim::RimXml(vbios));
  sim::EatSpec spec;
  auto one = sim::MakeDetachedEat(spec, sim::DevNrasKey());
  spec.devices = 2;
  auto two = sim::MakeDetachedEat(spec, sim::DevNrasKey());
  if (!one.ok() || !two.ok()) return 1;
  Write(eat_dir / "one_gpu.json", *one);
  Write(eat_dir / "two_gpus.json", *two);
  Write(eat_dir / "jwks.json", sim::JwksJson(sim::DevNrasKey()));
  return 0;
}
