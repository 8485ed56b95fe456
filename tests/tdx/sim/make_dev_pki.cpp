// Generates the TDX/SGX simulator's development PKI ONCE and prints it as the
// C++ source attestation/tdx/sim/dev_pki_data.cpp (PEM string literals):
//   make_dev_pki > attestation/tdx/sim/dev_pki_data.cpp
// Fresh keys every run: the committed file is the one and only dev PKI, and
// re-running this tool replaces the dev root every node pins (only do that on
// purpose). Uses only crypto/x509.h's signing side.
#include <cstdio>
#include <string>

#include "attestation/tdx/sim/dev_pki.h"
#include "attestation/tdx/sim/scenario.h"
#include "crypto/hash.h"

using namespace tenzro::tee;
using namespace tenzro::tee::tdx::sim;

namespace {

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) {
    std::fprintf(stderr, "make_dev_pki: %s: %s\n", what, r.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

KeyedCert Ca(const std::string& cn, Bytes serial, std::optional<int> path_len, bool is_ca,
             const KeyedCert* issuer) {
  x509::PrivateKey key = Must(x509::PrivateKey::Generate(x509::KeyKind::kP256), "key");
  x509::CertSpec spec;
  spec.subject = DevName(cn);
  spec.serial_be = std::move(serial);
  spec.not_before = kDevCaNotBefore;
  spec.not_after = kDevCaNotAfter;
  spec.is_ca = is_ca;
  spec.path_len = path_len;
  x509::Certificate cert =
      Must(x509::IssueCertificate(spec, key.public_key(), issuer ? &issuer->cert : nullptr,
                                  issuer ? issuer->key : key),
           cn.c_str());
  return {cert, key};
}

KeyedCert Pck(const Platform& p, Bytes serial, const KeyedCert& ca) {
  x509::PrivateKey key = Must(x509::PrivateKey::Generate(x509::KeyKind::kP256), "key");
  PckCertSpec spec;
  spec.ext = p.pck;
  spec.serial_be = std::move(serial);
  spec.not_before = kDevPckNotBefore;
  spec.not_after = kDevPckNotAfter;
  return {Must(IssuePck(spec, key.public_key(), ca), "PCK"), key};
}

void Literal(const char* name, const std::string& text) {
  std::printf("const char* const %s = R\"PEM(%s)PEM\";\n", name, text.c_str());
}

}  // namespace

int main() {
  if (!crypto::InitCrypto()) return 2;
  KeyedCert root = Ca("Tenzro DEV SGX Root CA", {0x01}, 1, true, nullptr);
  KeyedCert platform = Ca("Tenzro DEV SGX PCK Platform CA", {0x02}, 0, true, &root);
  KeyedCert tcb = Ca("Tenzro DEV SGX TCB Signing", {0x03}, std::nullopt, false, &root);
  KeyedCert pck_tdx = Pck(DefaultTdxPlatform(), {0x10, 0x01}, platform);
  KeyedCert pck_sgx = Pck(DefaultSgxPlatform(), {0x10, 0x02}, platform);
  x509::PrivateKey att = Must(x509::PrivateKey::Generate(x509::KeyKind::kP256), "key");

  std::printf(
      "// GENERATED ONCE by tests/tdx/sim/make_dev_pki.cpp; do not edit.\n"
      "//\n"
      "// DEVELOPMENT KEYS, PUBLIC BY CONSTRUCTION: the private keys of the TDX/SGX\n"
      "// simulator's development PKI. They are committed on purpose so every\n"
      "// devnet node and test signs alike; nothing they sign is evidence of\n"
      "// anything, and verifiers trust this root only when [tee] simulation = true.\n"
      "#include \"attestation/tdx/sim/dev_pki.h\"\n\n"
      "namespace tenzro::tee::tdx::sim::data {\n\n");
  Literal("kRootCertPem", x509::ToPem({root.cert}));
  Literal("kRootKeyPem", root.key.ToPem());
  Literal("kPlatformCaCertPem", x509::ToPem({platform.cert}));
  Literal("kPlatformCaKeyPem", platform.key.ToPem());
  Literal("kTcbSigningCertPem", x509::ToPem({tcb.cert}));
  Literal("kTcbSigningKeyPem", tcb.key.ToPem());
  Literal("kPckTdxCertPem", x509::ToPem({pck_tdx.cert}));
  Literal("kPckTdxKeyPem", pck_tdx.key.ToPem());
  Literal("kPckSgxCertPem", x509::ToPem({pck_sgx.cert}));
  Literal("kPckSgxKeyPem", pck_sgx.key.ToPem());
  Literal("kAttestationKeyPem", att.ToPem());
  std::printf("// SHA-256 of the root's DER.\nconst char* const kRootFingerprintHex = \"%s\";\n",
              ToHex(AsView(root.cert.fingerprint())).c_str());
  std::printf("\n}  // namespace tenzro::tee::tdx::sim::data\n");
  return 0;
}
