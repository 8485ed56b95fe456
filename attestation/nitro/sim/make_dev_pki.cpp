// One-off generator of the Nitro simulator's development PKI. It was run ONCE
// and its output committed; it is kept so the shape of the PKI is documented
// and reproducible, not to be re-run (new keys change the dev root pin in
// plugin/dev_roots.h):
//
//   ninja -C build make_nitro_dev_pki
//   build/attestation/nitro/sim/make_nitro_dev_pki attestation/nitro/sim
//
// writes dev_pki_data.cpp and prints the SHA-256 of the dev root's DER.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "attestation/nitro/sim/dev_pki.h"
#include "crypto/hash.h"

using namespace tenzro::tee;
using namespace tenzro::tee::nitro;

namespace {

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) {
    std::fprintf(stderr, "make_nitro_dev_pki: %s: %s\n", what, r.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

std::string Literal(const std::string& pem) { return "R\"PEM(" + pem + ")PEM\""; }

sim::DevCa Ca(const char* cn, std::optional<int> path_len, const sim::DevCa* issuer,
              uint8_t serial) {
  sim::DevCa ca;
  ca.key = Must(x509::PrivateKey::Generate(x509::KeyKind::kP384), cn);
  sim::CaSpec spec;
  spec.cn = cn;
  spec.path_len = path_len;
  spec.serial_be = {0x4e, serial};
  ca.cert =
      Must(sim::IssueCa(spec, ca.key.public_key(), issuer, issuer ? issuer->key : ca.key), cn);
  return ca;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || !crypto::InitCrypto()) {
    std::fprintf(stderr, "usage: make_nitro_dev_pki OUT_DIR\n");
    return 2;
  }
  const sim::DevCa root = Ca("dev.nitro-enclaves", std::nullopt, nullptr, 1);
  const sim::DevCa regional = Ca("dev-region-1.dev.nitro-enclaves", 2, &root, 2);
  const sim::DevCa zonal = Ca("zonal.dev-region-1.dev.nitro-enclaves", 1, &regional, 3);
  const sim::DevCa instance =
      Ca("i-0de0123456789abcd.dev-region-1.dev.nitro-enclaves", 0, &zonal, 4);
  const auto leaf = Must(x509::PrivateKey::Generate(x509::KeyKind::kP384), "leaf key");
  std::ostringstream data;
  data << "// DEVELOPMENT KEYS of the tenzro-tee Nitro simulator. NOT AWS's keys.\n"
          "//\n"
          "// Generated ONCE by attestation/nitro/sim/make_dev_pki.cpp and committed. The\n"
          "// private keys are public by construction: documents chaining to this dev root\n"
          "// are trusted only when [tee.consensus] simulation = true (DESIGN §8).\n"
          "#include \"attestation/nitro/sim/dev_pki_data.h\"\n\n"
          "namespace tenzro::tee::nitro::sim::data {\n\n"
          "const DevPkiPem kDevPkiPem = {\n";
  for (const sim::DevCa* ca : {&root, &regional, &zonal, &instance}) {
    data << "    " << Literal(x509::ToPem({ca->cert})) << ",\n"
         << "    " << Literal(ca->key.ToPem()) << ",\n";
  }
  data << "    " << Literal(leaf.ToPem())
       << "};\n\n}  // namespace tenzro::tee::nitro::sim::data\n";
  const std::filesystem::path out = argv[1];
  std::ofstream(out / "dev_pki_data.cpp") << data.str();
  std::printf("dev root sha256 %s\n", ToHex(root.cert.fingerprint()).c_str());
  return 0;
}
