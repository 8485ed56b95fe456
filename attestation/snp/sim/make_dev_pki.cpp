// One-off generator of the SNP simulator's development PKI. It was run ONCE
// and its output committed; it is kept so the shape of the PKI is documented
// and reproducible, not to be re-run (new keys change the dev ARK pins every
// node carries):
//
//   ninja -C build make_snp_dev_pki
//   build/attestation/snp/sim/make_snp_dev_pki attestation/snp/sim
//
// writes dev_pki_data.cpp (PEM keys and certificates) and dev_roots.h (the
// SHA-256 of each dev ARK's DER).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "attestation/snp/sim/dev_pki.h"
#include "crypto/hash.h"

using namespace tenzro::tee;
using namespace tenzro::tee::snp;
using format::Product;

namespace {

[[noreturn]] void Die(const std::string& what, const Status& s) {
  std::fprintf(stderr, "make_snp_dev_pki: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(1);
}

template <typename T>
T Must(Result<T> r, const std::string& what) {
  if (!r.ok()) Die(what, r.status());
  return std::move(r).value();
}

// keyCertSign | cRLSign, as AMD's ARK/ASK carry (critical).
x509::ExtensionSpec CaKeyUsage() { return {"2.5.29.15", {0x03, 0x02, 0x01, 0x06}, true}; }

struct Generated {
  Product product;
  sim::DevCa ark, ask, asvk;
  x509::PrivateKey vcek, vlek;
};

Bytes Serial(uint32_t v) {
  return {static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
}

Generated Generate(Product p, uint32_t serial_base) {
  const std::string name(format::ProductName(p));
  std::fprintf(stderr, "generating %s (3 x RSA-4096)...\n", name.c_str());
  Generated g{p, {}, {}, {}, {}, {}};
  g.ark.key = Must(x509::PrivateKey::Generate(x509::KeyKind::kRsa4096), "ARK key");
  g.ask.key = Must(x509::PrivateKey::Generate(x509::KeyKind::kRsa4096), "ASK key");
  g.asvk.key = Must(x509::PrivateKey::Generate(x509::KeyKind::kRsa4096), "ASVK key");
  g.vcek = Must(x509::PrivateKey::Generate(x509::KeyKind::kP384), "VCEK key");
  g.vlek = Must(x509::PrivateKey::Generate(x509::KeyKind::kP384), "VLEK key");

  x509::CertSpec ark;
  ark.subject = sim::DevSubject(std::string(format::kCnArkPrefix) + name);
  ark.serial_be = Serial(serial_base);
  ark.not_before = sim::kDevCaNotBefore;
  ark.not_after = sim::kDevCaNotAfter;
  ark.is_ca = true;
  ark.path_len = 1;
  ark.extensions = {CaKeyUsage()};
  ark.scheme = x509::SigScheme::kRsaPssSha384;
  g.ark.cert = Must(x509::IssueCertificate(ark, g.ark.key.public_key(), nullptr, g.ark.key), "ARK");

  x509::CertSpec ask = ark;
  ask.subject = sim::DevSubject(std::string(format::kCnAskPrefix) + name);
  ask.serial_be = Serial(serial_base + 1);
  ask.path_len = 0;
  g.ask.cert =
      Must(x509::IssueCertificate(ask, g.ask.key.public_key(), &g.ark.cert, g.ark.key), "ASK");

  x509::CertSpec asvk = ask;
  asvk.subject = sim::DevSubject(std::string(format::kCnAsvkPrefix) + name);
  asvk.serial_be = Serial(serial_base + 0x11);
  g.asvk.cert =
      Must(x509::IssueCertificate(asvk, g.asvk.key.public_key(), &g.ark.cert, g.ark.key), "ASVK");
  return g;
}

std::string Literal(const std::string& pem) { return "R\"PEM(" + pem + ")PEM\""; }

std::string Ident(Product p) { return std::string(format::ProductName(p)); }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || !crypto::InitCrypto()) {
    std::fprintf(stderr, "usage: make_snp_dev_pki OUT_DIR\n");
    return 2;
  }
  const std::filesystem::path out = argv[1];
  std::vector<Generated> all;
  all.push_back(Generate(Product::kMilan, 0x7d0100));
  all.push_back(Generate(Product::kGenoa, 0x7d0200));
  all.push_back(Generate(Product::kTurin, 0x7d0300));

  std::ostringstream data;
  data << "// DEVELOPMENT KEYS of the tenzro-tee SEV-SNP simulator. NOT AMD's keys.\n"
          "//\n"
          "// Generated ONCE by attestation/snp/sim/make_dev_pki.cpp and committed. The\n"
          "// private keys are public by construction: evidence chaining to these dev\n"
          "// ARKs is trusted only when [tee] simulation = true (DESIGN §8). Never use\n"
          "// them for anything else.\n"
          "#include \"attestation/snp/sim/dev_pki_data.h\"\n\n"
          "namespace tenzro::tee::snp::sim::data {\n\n"
          "const DevPkiPem kDevPkiPem[3] = {\n";
  for (const auto& g : all) {
    data << "    // ---- " << Ident(g.product) << " (development) ----\n"
         << "    {format::Product::k" << Ident(g.product) << ",\n"
         << "     // dev ARK-" << Ident(g.product) << " certificate\n"
         << "     " << Literal(x509::ToPem({g.ark.cert})) << ",\n"
         << "     // dev ARK-" << Ident(g.product) << " private key (DEVELOPMENT ONLY)\n"
         << "     " << Literal(g.ark.key.ToPem()) << ",\n"
         << "     // dev SEV-" << Ident(g.product) << " (ASK) certificate\n"
         << "     " << Literal(x509::ToPem({g.ask.cert})) << ",\n"
         << "     // dev ASK private key (DEVELOPMENT ONLY)\n"
         << "     " << Literal(g.ask.key.ToPem()) << ",\n"
         << "     // dev SEV-VLEK-" << Ident(g.product) << " (ASVK) certificate\n"
         << "     " << Literal(x509::ToPem({g.asvk.cert})) << ",\n"
         << "     // dev ASVK private key (DEVELOPMENT ONLY)\n"
         << "     " << Literal(g.asvk.key.ToPem()) << ",\n"
         << "     // dev VCEK P-384 private key (DEVELOPMENT ONLY)\n"
         << "     " << Literal(g.vcek.ToPem()) << ",\n"
         << "     // dev VLEK P-384 private key (DEVELOPMENT ONLY)\n"
         << "     " << Literal(g.vlek.ToPem()) << "},\n";
  }
  data << "};\n\n}  // namespace tenzro::tee::snp::sim::data\n";

  std::ostringstream roots;
  roots << "// SHA-256 of the DER of the SEV-SNP simulator's DEVELOPMENT ARKs (not AMD's),\n"
           "// generated with them by attestation/snp/sim/make_dev_pki.cpp. The verifier\n"
           "// knows these pins always and trusts a chain ending in one only when\n"
           "// [tee] simulation = true; otherwise the verdict is simulation_disabled.\n"
           "// Header-only, no OpenSSL: the plugin wiring passes these to the verifier.\n"
           "#pragma once\n\n"
           "#include <array>\n#include <string_view>\n\n"
           "#include \"attestation/snp/report_format.h\"\n\n"
           "namespace tenzro::tee::snp::sim {\n\n"
           "struct DevArkPin {\n  format::Product product;\n  std::string_view sha256_hex;\n};\n\n"
           "inline constexpr std::array<DevArkPin, 3> kDevArkPins = {{\n";
  for (const auto& g : all) {
    roots << "    {format::Product::k" << Ident(g.product) << ", \""
          << ToHex(g.ark.cert.fingerprint()) << "\"},\n";
  }
  roots << "}};\n\n}  // namespace tenzro::tee::snp::sim\n";

  std::ofstream(out / "dev_pki_data.cpp") << data.str();
  std::ofstream(out / "dev_roots.h") << roots.str();
  std::fprintf(stderr, "wrote %s and %s\n", (out / "dev_pki_data.cpp").c_str(),
               (out / "dev_roots.h").c_str());
  return 0;
}
