// MPC key management (seed: "MPC Key Management"; issue 14): FROST(Ed25519,
// SHA-512) key shares generated inside the TEE by a trusted dealer, sealed
// with enclave_crypto and kept in RocksDB's mpc_shares column family; two-
// round signing whose nonces live only in this process's memory.
//
// Storage (column family mpc_shares), every value an enclave_crypto
// ciphertext, so a disk attacker can neither read nor swap records:
//   group_pk(32) || 0x0000            -> sealed group record (public data:
//       threshold, total, VSS commitment, public key shares), key id
//       "tenzro-mpc-group-v1/<hex group_pk>"
//   group_pk(32) || participant u16 BE -> sealed key share, key id
//       "tenzro-mpc-share-v1/<hex group_pk>/<participant>"
// The group secret exists only inside GenerateShares and is wiped there;
// shares are unsealed per signing call and wiped after it.
//
// Nonces: Commit keeps the two nonces in memory under (share, commitment);
// SignWithShare removes them before it signs, so each is used once; they
// are wiped when used, when the service is destroyed, and never persisted,
// so a crash or restart can only lose commitments, never reuse them. At
// most kMaxPendingCommitments are outstanding (kTooLarge beyond).
//
// Nothing here is on the consensus path. Thread-safety: all methods may be
// called from several threads.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "attestation/enclave_crypto/enclave_crypto.h"
#include "attestation/mpc/frost.h"
#include "core/thread_annotations.h"
#include "storage/kv_store.h"

namespace tenzro::tee::mpc {

struct ShareId {
  frost::Element group_public_key{};
  uint16_t participant = 0;
};
// "<64 hex digits of the group key>:<participant>".
std::string ShareIdText(const ShareId& id);
std::optional<ShareId> ParseShareId(std::string_view text);

struct GroupInfo {
  frost::Element group_public_key{};  // a standard Ed25519 public key
  uint16_t min_participants = 0;
  uint16_t max_participants = 0;
  std::vector<frost::Element> vss_commitment;  // min_participants entries
  std::vector<frost::Element> public_shares;   // participant i at i - 1
};

struct AggregateOutcome {
  std::optional<frost::Signature> signature;  // set iff every share verified
  std::vector<uint16_t> bad_participants;     // ascending
};

class MpcService {
 public:
  static constexpr size_t kMaxPendingCommitments = 4096;

  // crypto and store must outlive the service.
  MpcService(enclave_crypto::EnclaveCrypto& crypto, storage::KvStore& store);
  ~MpcService();
  MpcService(const MpcService&) = delete;
  MpcService& operator=(const MpcService&) = delete;

  // generate_mpc_shares(threshold, total): 2 <= threshold <= total <= 255.
  Result<GroupInfo> GenerateShares(uint16_t threshold = 2, uint16_t total = 3);
  // kNotFound for an unknown group; kAuthentication when the record does
  // not unseal (another key source, tampered).
  Result<GroupInfo> LoadGroup(const frost::Element& group_public_key) const;

  // Round one for one share.
  Result<frost::Commitment> Commit(const ShareId& share);
  // Round two: the list must hold this share's outstanding commitment and at
  // least threshold participants. kNotFound when the commitment is unknown
  // or was already used.
  Result<frost::SignatureShare> SignWithShare(const ShareId& share, ByteView message,
                                              std::span<const frost::Commitment> list);
  // Verifies every share against its commitment and the participant's
  // public key share, names every participant whose share fails, and
  // aggregates only when all pass. The signature is checked with
  // crypto_sign_verify_detached under the group key before it is returned.
  Result<AggregateOutcome> Aggregate(const frost::Element& group_public_key, ByteView message,
                                     std::span<const frost::Commitment> list,
                                     std::span<const frost::SignatureShare> shares) const;

  size_t pending_commitments() const;

 private:
  Result<frost::KeyShare> LoadShare(const ShareId& share, const GroupInfo& group) const;

  enclave_crypto::EnclaveCrypto& crypto_;
  storage::KvStore& store_;
  mutable Mutex mu_;
  // group_pk || participant u16 BE || hiding || binding -> nonces
  using PendingKey = std::array<uint8_t, 32 + 2 + 32 + 32>;
  static PendingKey MakePendingKey(const ShareId& share, const frost::Commitment& c);
  std::map<PendingKey, frost::Nonces> pending_ GUARDED_BY(mu_);
};

}  // namespace tenzro::tee::mpc
