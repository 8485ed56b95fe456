// One-off generator of rim_dev_pki_data.cpp: the development CoRIM PKI (root,
// CA, signer; P-384, ecdsa-sha384) and the development NRAS key. Run once,
// commit its output; the simulators then make reproducible vectors.
//   build/make_nvidia_rim_dev_pki > attestation/nvidia/sim/rim_dev_pki_data.cpp
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "crypto/hash.h"
#include "crypto/x509_signing.h"

namespace x509 = tenzro::tee::x509;

namespace {

template <typename T>
T Must(tenzro::tee::Result<T> r, const char* what) {
  if (!r.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, r.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

x509::CertSpec Spec(const char* cn, uint8_t serial, bool ca, int64_t nb, int64_t na) {
  x509::CertSpec s;
  s.subject = {{"CN", cn}, {"O", "tenzro-tee NVIDIA simulator DEVELOPMENT PKI (not NVIDIA)"}};
  s.serial_be = {0x4e, 0x56, serial};
  s.not_before = nb;
  s.not_after = na;
  s.is_ca = ca;
  s.scheme = x509::SigScheme::kEcdsaSha384;
  return s;
}

void Emit(const char* name, const std::string& pem) {
  std::cout << "const char* const " << name << " = R\"PEM(" << pem << ")PEM\";\n\n";
}

}  // namespace

int main() {
  if (!tenzro::tee::crypto::InitCrypto()) return 2;
  const int64_t y2024 = 1704067200, y2054 = 2650838400, y2025 = 1735689600, y2035 = 2051222400;
  auto root_key = Must(x509::PrivateKey::Generate(x509::KeyKind::kP384), "root key");
  auto ca_key = Must(x509::PrivateKey::Generate(x509::KeyKind::kP384), "ca key");
  auto signer_key = Must(x509::PrivateKey::Generate(x509::KeyKind::kP384), "signer key");
  auto nras_key = Must(x509::PrivateKey::Generate(x509::KeyKind::kP384), "nras key");
  auto root_spec = Spec("DEV NVIDIA CoRIM signing Root CA", 1, true, y2024, y2054);
  auto root =
      Must(x509::IssueCertificate(root_spec, root_key.public_key(), nullptr, root_key), "root");
  auto ca_spec = Spec("DEV NVIDIA Reference Value GH100 CA", 2, true, y2024, y2054);
  auto ca = Must(x509::IssueCertificate(ca_spec, ca_key.public_key(), &root, root_key), "ca");
  auto signer_spec = Spec("DEV HCC RIM Signer", 3, false, y2025, y2035);
  auto signer =
      Must(x509::IssueCertificate(signer_spec, signer_key.public_key(), &ca, ca_key), "signer");
  std::cout << "// DEVELOPMENT KEYS of the tenzro-tee NVIDIA RIM and NRAS simulators. NOT\n"
               "// NVIDIA's keys. Generated ONCE by attestation/nvidia/sim/make_rim_dev_pki.cpp\n"
               "// and committed. The private keys are public by construction: RIMs and\n"
               "// tokens under them are trusted only with [tee.consensus] simulation = true\n"
               "// (DESIGN §8). Never use them for anything else.\n"
               "#include \"attestation/nvidia/sim/rim_dev_pki_data.h\"\n\n"
               "namespace tenzro::tee::nvidia::sim::data {\n\n";
  Emit("kRimRootCert", x509::ToPem({root}));
  Emit("kRimRootKey", root_key.ToPem());
  Emit("kRimCaCert", x509::ToPem({ca}));
  Emit("kRimCaKey", ca_key.ToPem());
  Emit("kRimSignerCert", x509::ToPem({signer}));
  Emit("kRimSignerKey", signer_key.ToPem());
  Emit("kNrasKey", nras_key.ToPem());
  std::cout << "const char* const kNrasKid = \"tenzro-dev-nras-kid-1\";\n\n"
               "}  // namespace tenzro::tee::nvidia::sim::data\n";
  return 0;
}
