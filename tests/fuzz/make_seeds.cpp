// Writes the seed corpora of the fuzz targets from the project's own
// simulator (never from ../shared/vectors):  make_seeds OUT_DIR
#include <filesystem>
#include <fstream>
#include <string>

#include "attestation/enclave_crypto/enclave_crypto.h"
#include "attestation/mpc/frost.h"
#include "attestation/sim/simulator.h"
#include "consensus_hooks/snapshot.h"
#include "crypto/hash.h"
#include "registry/provider_record.h"
#include "registry/record.h"

using namespace tenzro::tee;

namespace {
void Write(const std::filesystem::path& dir, const std::string& name, const Bytes& data) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary)
      .write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}
Bytes Text(const std::string& s) { return Bytes(s.begin(), s.end()); }
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || !crypto::InitCrypto()) return 2;
  std::filesystem::path out = argv[1];
  sim::EvidenceSpec spec;
  spec.binding.validator_id[0] = 1;
  spec.binding.challenge[0] = 2;
  spec.issued_at = 1'767'225'600;
  Bytes ev = sim::MakeEvidence(spec);
  Write(out / "simulated_evidence", "genuine", ev);
  spec.debug = true;
  Write(out / "simulated_evidence", "debug", sim::MakeEvidence(spec));
  Bytes list = sim::MakeRevocationList(1'767'225'000, 1'767'230'000, {sim::DefaultMeasurement()});
  Write(out / "revocation_list", "one", list);
  Write(out / "revocation_list", "empty", sim::MakeRevocationList(1, 2'000'000'000, {}));
  Bytes ev_and_list = ev;
  ev_and_list.push_back(0xff);
  ev_and_list.insert(ev_and_list.end(), list.begin(), list.end());
  Write(out / "abi_verify", "evidence_and_list", ev_and_list);
  Write(out / "abi_verify", "evidence", ev);

  registry::ValidatorRecord r;
  r.id[0] = 9;
  r.stake_be[31] = 7;
  r.tee_type = TeeType::Simulated;
  r.status = registry::ValidatorStatus::kAttested;
  r.valid_until = 1'767'300'000;
  r.claims["measurement"] = Bytes(48, 0xaa);
  r.claims["issued_at"] = Bytes(8, 1);
  Write(out / "record", "attested", registry::EncodeRecord(r));
  Write(out / "record", "plain", registry::EncodeRecord(registry::ValidatorRecord{}));

  // Issue 15: a provider with a CPU TEE and a failed GPU piece.
  registry::ProviderRecord p;
  p.id[0] = 5;
  p.model_id = "llama-3-70b";
  p.model_hash[0] = 6;
  p.status = registry::ValidatorStatus::kUnattested;
  p.reason = FailureCode::kNonceMismatch;
  registry::ProviderEvidence cpu;
  cpu.tee_type = TeeType::IntelTdx;
  cpu.valid_until = 1'767'300'000;
  cpu.claims["mrtd"] = Bytes(48, 0xbb);
  registry::ProviderEvidence gpu;
  gpu.tee_type = TeeType::NvidiaGpu;
  gpu.reason = FailureCode::kNonceMismatch;
  p.evidence = {cpu, gpu};
  Write(out / "provider_record", "cpu_and_gpu", registry::EncodeProvider(p));

  consensus::EpochSnapshot s;
  s.epoch = 3;
  for (uint8_t i = 1; i <= 3; ++i) {
    consensus::SnapshotEntry e;
    e.id[0] = i;
    e.stake_be[31] = static_cast<uint8_t>(10 * i);
    e.attested = i % 2 == 1;
    s.entries.push_back(e);
  }
  Write(out / "snapshot", "three", consensus::EncodeSnapshot(s));
  Write(out / "snapshot", "report", consensus::EncodeReport(consensus::EpochReport{}));

  Write(out / "config", "devnet",
        Text("[tee]\ndb_path = \"x\"\nsimulation = true\n[tee.consensus]\nmultiplier = 2\n"
             "max_age_secs = \"0x100\"\n[tee.consensus.simulated]\nmeasurements = [\"" +
             std::string(96, 'a') + "\"]\n"));
  Write(out / "config", "bad", Text("[tee]\nbogus = [1, {a = 2}]\n"));

  // Issue 14: enclave ciphertexts (key id length, key id, ciphertext) and
  // FROST messages (selector byte, message).
  enclave_crypto::EnclaveCrypto ec(
      enclave_crypto::SimulationKeySource::Create(TeeType::AmdSevSnp, true).value());
  for (const char* kid : {"wallet-share-1", "k"}) {
    Bytes seed = {static_cast<uint8_t>(std::string(kid).size())};
    PutBytes(seed, ByteView(reinterpret_cast<const uint8_t*>(kid), std::string(kid).size()));
    PutBytes(seed, AsView(ec.Encrypt(kid, Text("MPC key share for wallet")).value()));
    Write(out / "enclave_decrypt", kid, seed);
  }
  namespace frost = mpc::frost;
  auto keys = frost::TrustedDealerKeygen(2, 3).value();
  std::vector<frost::Commitment> commitments;
  std::vector<frost::Nonces> nonces;
  for (int i = 0; i < 2; ++i) {
    auto [n, c] = frost::Commit(keys.shares[static_cast<size_t>(i)]).value();
    commitments.push_back(c);
    nonces.push_back(std::move(n));
  }
  std::vector<frost::SignatureShare> zs;
  for (size_t i = 0; i < 2; ++i) {
    zs.push_back(
        frost::Sign(keys.shares[i], keys.group_public_key, nonces[i], Text("m"), commitments)
            .value());
  }
  Bytes one = {0}, many = {1}, shares = {2};
  PutBytes(one, AsView(frost::EncodeCommitment(commitments[0])));
  PutBytes(many, AsView(frost::EncodeCommitmentList(commitments)));
  PutBytes(shares, AsView(frost::EncodeSignatureShares(zs)));
  Write(out / "frost_messages", "commitment", one);
  Write(out / "frost_messages", "commitment_list", many);
  Write(out / "frost_messages", "signature_shares", shares);
  return 0;
}
