// One-off generator of the NVIDIA simulator's development root (run once;
// its output was committed as dev_pki_data.cpp, and the root's SHA-256 as
// plugin/dev_roots.h kNvidiaDevRootSha256):
//   cmake --build build --target make_nvidia_dev_pki && build/.../make_nvidia_dev_pki
#include <cstdio>

#include "attestation/nvidia/sim/dev_pki.h"
#include "crypto/hash.h"

using namespace tenzro::tee;

int main() {
  auto key = x509::PrivateKey::Generate(x509::KeyKind::kP384);
  if (!key.ok()) return 1;
  x509::CertSpec spec;
  spec.subject = {{"CN", nvidia::sim::kDevRootCn}, {"O", nvidia::sim::kDevOrg}};
  spec.not_before = nvidia::sim::kDevNotBefore;
  spec.not_after = nvidia::sim::kDevNotAfter;
  spec.is_ca = true;
  spec.scheme = x509::SigScheme::kEcdsaSha384;
  auto root = x509::IssueCertificate(spec, key->public_key(), nullptr, *key);
  if (!root.ok()) return 1;
  std::printf("%s\n%s\nsha256 %s\n", key->ToPem().c_str(), x509::ToPem({*root}).c_str(),
              ToHex(AsView(root->fingerprint())).c_str());
  return 0;
}
