#include "attestation/sim/simulator.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "crypto/hash.h"

namespace tenzro::tee::sim {
namespace {
ByteView Tag(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

crypto::Ed25519Seed DevSeed() { return crypto::Sha256(Tag("tenzro-tee-simulated-dev-key-v1")); }
}  // namespace

simulated::Measurement DefaultMeasurement() {
  // SHA-384 is not in libsodium; the default measurement only needs to be a
  // fixed, documented 48-byte value: SHA-512 of the tag, truncated.
  auto h = crypto::Sha512(Tag("tenzro-tee-simulated-measurement-v1"));
  simulated::Measurement m{};
  std::copy_n(h.begin(), m.size(), m.begin());
  return m;
}

Bytes MakeEvidenceWithKey(const EvidenceSpec& spec, const std::array<uint8_t, 32>& key_seed) {
  crypto::Ed25519KeyPair kp(key_seed);
  simulated::Evidence e;
  e.version = simulated::kVersion;
  e.flags = spec.debug ? simulated::kFlagDebug : 0u;
  e.issued_at = spec.issued_at;
  e.measurement = spec.measurement;
  e.report_data = spec.report_data ? *spec.report_data : ComputeBinding(spec.binding);
  e.signer = kp.public_key();
  Bytes out = simulated::SerializeUnsigned(e);
  auto sig = kp.Sign(AsView(out));
  PutBytes(out, AsView(sig));
  return out;
}

Bytes MakeEvidence(const EvidenceSpec& spec) { return MakeEvidenceWithKey(spec, DevSeed()); }

Bytes MakeRevocationList(uint64_t this_update, uint64_t next_update,
                         std::vector<simulated::Measurement> revoked) {
  crypto::Ed25519KeyPair kp(DevSeed());
  simulated::RevocationList rl;
  rl.this_update = this_update;
  rl.next_update = next_update;
  std::sort(revoked.begin(), revoked.end());
  revoked.erase(std::unique(revoked.begin(), revoked.end()), revoked.end());
  rl.revoked = std::move(revoked);
  rl.signer = kp.public_key();
  Bytes out = simulated::SerializeUnsignedRevocationList(rl);
  auto sig = kp.Sign(AsView(out));
  PutBytes(out, AsView(sig));
  return out;
}

std::array<uint8_t, 32> DevPublicKey() {
  crypto::Ed25519KeyPair kp(DevSeed());
  return kp.public_key();
}

}  // namespace tenzro::tee::sim
