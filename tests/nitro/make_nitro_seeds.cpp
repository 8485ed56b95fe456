// Seeds of the Nitro fuzz targets, from the simulator (never from the shared
// vectors): make_nitro_seeds tests/fuzz/corpus writes nitro_document/ and
// nitro_verify/.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "attestation/nitro/sim/document_builder.h"
#include "crypto/hash.h"

using namespace tenzro::tee;
using namespace tenzro::tee::nitro;

namespace {

void Write(const std::filesystem::path& dir, const std::string& name, const Bytes& data) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary)
      .write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

Bytes Must(const sim::DocumentSpec& spec) {
  auto d = sim::MakeDocument(spec);
  if (!d.ok()) {
    std::fprintf(stderr, "make_nitro_seeds: %s\n", d.status().ToString().c_str());
    std::exit(1);
  }
  return *d;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || !crypto::InitCrypto()) {
    std::fprintf(stderr, "usage: make_nitro_seeds CORPUS_DIR\n");
    return 2;
  }
  const std::filesystem::path out = argv[1];
  std::vector<std::pair<std::string, Bytes>> seeds;
  seeds.emplace_back("genuine", Must({}));
  sim::DocumentSpec tagged;
  tagged.tagged = true;
  tagged.nonce = sim::BindingNonce(BindingInput{});
  tagged.user_data = Bytes{};
  tagged.public_key = Bytes(65, 4);
  seeds.emplace_back("tagged_bound", Must(tagged));
  sim::DocumentSpec debug;
  debug.pcrs = sim::DebugPcrs();
  debug.null_for_absent = false;
  seeds.emplace_back("debug_no_optionals", Must(debug));
  sim::DocumentSpec pcr16;
  pcr16.pcrs[16] = Bytes(48, 0x16);
  pcr16.nonce = Bytes{1, 2, 3};
  seeds.emplace_back("pcr16_nonce", Must(pcr16));
  sim::DocumentSpec es256;
  es256.alg = -7;
  seeds.emplace_back("es256", Must(es256));
  for (const auto& [name, data] : seeds) {
    Write(out / "nitro_document", name, data);
    Write(out / "nitro_verify", name, data);
  }
  return 0;
}
