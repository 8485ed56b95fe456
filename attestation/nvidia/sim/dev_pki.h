// The NVIDIA simulator's DEVELOPMENT device PKI, shaped like NVIDIA's:
//   GSP FMC leaf (with a TCG DICE FWID) -> GSP BROM -> Provisioner ICA ->
//   Identity -> "Tenzro DEV NVIDIA Device Identity CA"
// all ECDSA P-384 / SHA-384. The root (key and certificate) was generated
// ONCE by make_dev_pki.cpp and is committed in dev_pki_data.cpp; it is NOT
// NVIDIA's and its private key is public: the verifier trusts it (by the
// fingerprint in plugin/dev_roots.h) only when [tee.consensus] simulation =
// true. The four certificates below the root are issued per DevChain (fresh
// keys) with the FWID and windows the caller asks for.
//
// A TESTING library (tenzro_nvidia_sim): never linked into the plugin.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "attestation/nvidia/policy.h"
#include "core/bytes.h"
#include "core/status.h"
#include "crypto/x509.h"

namespace tenzro::tee::nvidia::sim {

inline constexpr char kDevRootCn[] = "Tenzro DEV NVIDIA Device Identity CA";
inline constexpr char kDevOrg[] = "Tenzro DEV NVIDIA (simulator, not NVIDIA)";
// 2024-01-01T00:00:00Z .. 2049-01-01T00:00:00Z (inclusive, §5).
inline constexpr int64_t kDevNotBefore = 1'704'067'200;
inline constexpr int64_t kDevNotAfter = 2'493'072'000;

struct DevCert {
  x509::Certificate cert;
  x509::PrivateKey key;
};

// The committed development root. Aborts if the committed data does not
// parse (a build defect, never input).
const DevCert& DevRoot();
Hash32 DevRootFingerprint();

struct ChainSpec {
  Arch arch = Arch::kHopper;  // Hopper: 2.23.133.5.4.1; Blackwell: DiceTcbInfo
  std::array<uint8_t, 48> fwid{};
  int64_t not_before = kDevNotBefore;
  int64_t not_after = kDevNotAfter;
  bool leaf_fwid_extension = true;
};

// leaf, BROM, Provisioner ICA, Identity, root (index 0..4).
struct DevChain {
  std::vector<DevCert> certs;
  const x509::PrivateKey& leaf_key() const { return certs.front().key; }
  // PEM of the chain, leaf first (NVIDIA's form).
  std::string Pem() const;
};

Result<DevChain> IssueDevChain(const ChainSpec& spec);
// The leaf's DICE extension value for an architecture.
Bytes DiceExtension(Arch arch, const std::array<uint8_t, 48>& fwid);

}  // namespace tenzro::tee::nvidia::sim
