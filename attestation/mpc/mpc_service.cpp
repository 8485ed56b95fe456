#include "attestation/mpc/mpc_service.h"

#include <sodium.h>

#include <charconv>
#include <cstring>

#include "core/reader.h"

namespace tenzro::tee::mpc {
namespace {

constexpr uint8_t kRecordVersion = 1;

Bytes StoreKey(const frost::Element& group, uint16_t participant) {
  Bytes k(group.begin(), group.end());
  PutU8(k, static_cast<uint8_t>(participant >> 8));
  PutU8(k, static_cast<uint8_t>(participant & 0xff));
  return k;
}

std::string GroupKeyId(const frost::Element& group) {
  return "tenzro-mpc-group-v1/" + ToHex(AsView(group));
}
std::string ShareKeyId(const ShareId& id) {
  return "tenzro-mpc-share-v1/" + ToHex(AsView(id.group_public_key)) + "/" +
         std::to_string(id.participant);
}

Status Corrupt(const char* what) { return Error(ErrorCode::kStorage, what); }

Bytes EncodeGroup(const GroupInfo& g) {
  Bytes b;
  PutU8(b, kRecordVersion);
  PutU16Le(b, g.min_participants);
  PutU16Le(b, g.max_participants);
  PutBytes(b, AsView(g.group_public_key));
  for (const auto& e : g.vss_commitment) PutBytes(b, AsView(e));
  for (const auto& e : g.public_shares) PutBytes(b, AsView(e));
  return b;
}

Result<GroupInfo> DecodeGroup(ByteView b, const frost::Element& expect) {
  ByteReader r(b);
  GroupInfo g;
  uint8_t version = 0;
  if (!r.ReadU8(version) || version != kRecordVersion || !r.ReadU16Le(g.min_participants) ||
      !r.ReadU16Le(g.max_participants) || !r.ReadArray(g.group_public_key) ||
      g.min_participants < 2 || g.min_participants > g.max_participants ||
      g.max_participants > 255) {
    return Corrupt("mpc group record malformed");
  }
  g.vss_commitment.resize(g.min_participants);
  g.public_shares.resize(g.max_participants);
  for (auto& e : g.vss_commitment) {
    if (!r.ReadArray(e)) return Corrupt("mpc group record truncated");
  }
  for (auto& e : g.public_shares) {
    if (!r.ReadArray(e)) return Corrupt("mpc group record truncated");
  }
  if (!r.AtEnd() || g.group_public_key != expect) return Corrupt("mpc group record malformed");
  return g;
}

}  // namespace

std::string ShareIdText(const ShareId& id) {
  return ToHex(AsView(id.group_public_key)) + ":" + std::to_string(id.participant);
}

std::optional<ShareId> ParseShareId(std::string_view text) {
  if (text.size() < 66 || text[64] != ':') return std::nullopt;
  auto key = FromHexFixed<32>(text.substr(0, 64));
  if (!key) return std::nullopt;
  const std::string_view num = text.substr(65);
  unsigned v = 0;
  auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
  if (ec != std::errc() || p != num.data() + num.size() || v == 0 || v > 255 ||
      num.front() == '0') {
    return std::nullopt;
  }
  return ShareId{*key, static_cast<uint16_t>(v)};
}

MpcService::MpcService(enclave_crypto::EnclaveCrypto& crypto, storage::KvStore& store)
    : crypto_(crypto), store_(store) {}

MpcService::~MpcService() {
  MutexLock lock(&mu_);
  pending_.clear();  // Nonces wipe themselves
}

MpcService::PendingKey MpcService::MakePendingKey(const ShareId& share,
                                                  const frost::Commitment& c) {
  PendingKey k{};
  std::memcpy(k.data(), share.group_public_key.data(), 32);
  k[32] = static_cast<uint8_t>(share.participant >> 8);
  k[33] = static_cast<uint8_t>(share.participant & 0xff);
  std::memcpy(k.data() + 34, c.hiding.data(), 32);
  std::memcpy(k.data() + 66, c.binding.data(), 32);
  return k;
}

size_t MpcService::pending_commitments() const {
  MutexLock lock(&mu_);
  return pending_.size();
}

Result<GroupInfo> MpcService::GenerateShares(uint16_t threshold, uint16_t total) {
  TEE_ASSIGN_OR_RETURN(frost::DealerOutput dealt, frost::TrustedDealerKeygen(threshold, total));
  GroupInfo g;
  g.group_public_key = dealt.group_public_key;
  g.min_participants = threshold;
  g.max_participants = total;
  g.vss_commitment = dealt.vss_commitment;
  storage::WriteBatch batch;
  for (const auto& share : dealt.shares) {
    // Each share is checked against the VSS commitment before it is kept.
    if (!frost::VssVerify(share.id, share.secret.get(), dealt.vss_commitment)) {
      return Error(ErrorCode::kInternal, "dealt share fails its VSS check");
    }
    auto pub = frost::BaseMult(share.secret.get());
    if (!pub) return Error(ErrorCode::kInternal, "zero key share");
    g.public_shares.push_back(*pub);
    Bytes plain;
    PutU8(plain, kRecordVersion);
    PutU16Le(plain, share.id);
    PutU16Le(plain, threshold);
    PutU16Le(plain, total);
    PutBytes(plain, AsView(g.group_public_key));
    PutBytes(plain, AsView(share.secret.get()));
    auto sealed = crypto_.Encrypt(ShareKeyId({g.group_public_key, share.id}), AsView(plain));
    sodium_memzero(plain.data(), plain.size());
    if (!sealed.ok()) return std::move(sealed).status();
    batch.Put(storage::Cf::kMpcShares, AsView(StoreKey(g.group_public_key, share.id)),
              AsView(*sealed));
  }
  TEE_ASSIGN_OR_RETURN(Bytes sealed_group,
                       crypto_.Encrypt(GroupKeyId(g.group_public_key), AsView(EncodeGroup(g))));
  batch.Put(storage::Cf::kMpcShares, AsView(StoreKey(g.group_public_key, 0)), AsView(sealed_group));
  TEE_TRY(store_.Write(batch));
  return g;  // dealt (the secret's shares) is wiped as it goes out of scope
}

Result<GroupInfo> MpcService::LoadGroup(const frost::Element& group_public_key) const {
  TEE_ASSIGN_OR_RETURN(auto value,
                       store_.Get(storage::Cf::kMpcShares, AsView(StoreKey(group_public_key, 0))));
  if (!value) return Error(ErrorCode::kNotFound, "no such MPC group");
  TEE_ASSIGN_OR_RETURN(Bytes plain, crypto_.Decrypt(GroupKeyId(group_public_key), AsView(*value)));
  return DecodeGroup(AsView(plain), group_public_key);
}

Result<frost::KeyShare> MpcService::LoadShare(const ShareId& id, const GroupInfo& group) const {
  if (id.participant == 0 || id.participant > group.max_participants) {
    return Error(ErrorCode::kNotFound, "no such participant in the group");
  }
  TEE_ASSIGN_OR_RETURN(
      auto value,
      store_.Get(storage::Cf::kMpcShares, AsView(StoreKey(id.group_public_key, id.participant))));
  if (!value) return Error(ErrorCode::kNotFound, "no such MPC share");
  TEE_ASSIGN_OR_RETURN(Bytes plain, crypto_.Decrypt(ShareKeyId(id), AsView(*value)));
  ByteReader r(AsView(plain));
  uint8_t version = 0;
  uint16_t pid = 0, min = 0, max = 0;
  frost::Element gpk{};
  frost::KeyShare share;
  const bool ok = r.ReadU8(version) && version == kRecordVersion && r.ReadU16Le(pid) &&
                  r.ReadU16Le(min) && r.ReadU16Le(max) && r.ReadArray(gpk) &&
                  r.ReadArray(share.secret.mutable_get()) && r.AtEnd();
  sodium_memzero(plain.data(), plain.size());
  if (!ok || pid != id.participant || gpk != id.group_public_key || min != group.min_participants ||
      max != group.max_participants) {
    return Corrupt("mpc share record malformed");
  }
  share.id = pid;
  auto pub = frost::BaseMult(share.secret.get());
  if (!pub || *pub != group.public_shares[pid - 1u]) {
    return Corrupt("mpc share does not match its public key share");
  }
  return share;
}

Result<frost::Commitment> MpcService::Commit(const ShareId& id) {
  TEE_ASSIGN_OR_RETURN(GroupInfo group, LoadGroup(id.group_public_key));
  TEE_ASSIGN_OR_RETURN(frost::KeyShare share, LoadShare(id, group));
  TEE_ASSIGN_OR_RETURN(auto committed, frost::Commit(share));
  const PendingKey key = MakePendingKey(id, committed.second);
  MutexLock lock(&mu_);
  if (pending_.size() >= kMaxPendingCommitments) {
    return Error(ErrorCode::kTooLarge, "too many outstanding MPC commitments");
  }
  pending_.insert_or_assign(key, std::move(committed.first));
  return committed.second;
}

Result<frost::SignatureShare> MpcService::SignWithShare(const ShareId& id, ByteView message,
                                                        std::span<const frost::Commitment> list) {
  TEE_TRY(frost::CheckCommitmentList(list));
  const frost::Commitment* own = nullptr;
  for (const auto& c : list) {
    if (c.id == id.participant) own = &c;
  }
  if (own == nullptr) return Error(ErrorCode::kInvalidArgument, "own commitment not in the list");
  TEE_ASSIGN_OR_RETURN(GroupInfo group, LoadGroup(id.group_public_key));
  if (list.size() < group.min_participants || list.size() > group.max_participants) {
    return Error(ErrorCode::kInvalidArgument,
                 "signing set must have between threshold and total participants");
  }
  for (const auto& c : list) {
    if (c.id > group.max_participants) {
      return Error(ErrorCode::kInvalidArgument,
                   "participant " + std::to_string(c.id) + " is not in the group");
    }
  }
  TEE_ASSIGN_OR_RETURN(frost::KeyShare share, LoadShare(id, group));
  const PendingKey key = MakePendingKey(id, *own);
  std::optional<frost::Nonces> nonces;
  {
    MutexLock lock(&mu_);
    auto it = pending_.find(key);
    if (it == pending_.end()) {
      return Error(ErrorCode::kNotFound,
                   "no outstanding commitment for this share (nonces are single use)");
    }
    nonces.emplace(std::move(it->second));
    pending_.erase(it);  // single use, whatever happens next
  }
  return frost::Sign(share, id.group_public_key, *nonces, message, list);
}

Result<AggregateOutcome> MpcService::Aggregate(
    const frost::Element& group_public_key, ByteView message,
    std::span<const frost::Commitment> list, std::span<const frost::SignatureShare> shares) const {
  // PrepareSigning checks the list (ascending ids, valid elements).
  TEE_ASSIGN_OR_RETURN(const frost::SigningContext ctx,
                       frost::PrepareSigning(group_public_key, list, message));
  TEE_ASSIGN_OR_RETURN(GroupInfo group, LoadGroup(group_public_key));
  if (list.size() < group.min_participants) {
    return Error(ErrorCode::kInvalidArgument, "fewer commitments than the threshold");
  }
  AggregateOutcome out;
  for (const auto& c : list) {
    if (c.id > group.max_participants) {
      out.bad_participants.push_back(c.id);
      continue;
    }
    const frost::SignatureShare* z = nullptr;
    for (const auto& s : shares) {
      if (s.id == c.id) z = &s;
    }
    if (z == nullptr ||
        !frost::VerifySignatureShare(*z, group.public_shares[c.id - 1u], list, ctx)) {
      out.bad_participants.push_back(c.id);
    }
  }
  for (size_t i = 0; i < shares.size(); ++i) {
    const auto& s = shares[i];
    for (size_t j = 0; j < i; ++j) {
      if (shares[j].id == s.id) {
        return Error(ErrorCode::kInvalidArgument,
                     "two signature shares from participant " + std::to_string(s.id));
      }
    }
    bool listed = false;
    for (const auto& c : list) listed = listed || c.id == s.id;
    if (!listed) {
      return Error(ErrorCode::kInvalidArgument, "signature share from participant " +
                                                    std::to_string(s.id) + " without a commitment");
    }
  }
  if (!out.bad_participants.empty()) return out;
  std::vector<frost::SignatureShare> ordered;
  for (const auto& c : list) {
    for (const auto& s : shares) {
      if (s.id == c.id) ordered.push_back(s);
    }
  }
  TEE_ASSIGN_OR_RETURN(frost::Signature sig, frost::Aggregate(list, ctx, ordered));
  if (crypto_sign_verify_detached(sig.data(), message.data(), message.size(),
                                  group_public_key.data()) != 0) {
    return Error(ErrorCode::kInternal, "aggregate signature does not verify");
  }
  out.signature = sig;
  return out;
}

}  // namespace tenzro::tee::mpc
