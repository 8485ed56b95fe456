#include "consensus_hooks/snapshot.h"

#include "core/reader.h"

namespace tenzro::tee::consensus {
namespace {
constexpr uint8_t kVersion = 1;
constexpr uint8_t kHeaderVersion = 2;
Status Corrupt(const char* what) {
  return Error(ErrorCode::kStorage, std::string("corrupt ") + what);
}
}  // namespace

// v1: u8 version | u64 epoch | u64 epoch_time | seed[32] | u64 multiplier |
//     params_hash[32] | collateral_hash[32] | u64 n | n x (id[32] stake_be[32] u8 attested)
Bytes EncodeSnapshot(const EpochSnapshot& s) {
  Bytes out;
  out.reserve(1 + 8 * 4 + 96 + s.entries.size() * 65);
  PutU8(out, kVersion);
  PutU64Le(out, s.epoch);
  PutU64Le(out, s.epoch_time);
  PutBytes(out, AsView(s.seed));
  PutU64Le(out, s.multiplier);
  PutBytes(out, AsView(s.params_hash));
  PutBytes(out, AsView(s.collateral_hash));
  PutU64Le(out, s.entries.size());
  for (const auto& e : s.entries) {
    PutBytes(out, AsView(e.id));
    PutBytes(out, AsView(e.stake_be));
    PutU8(out, e.attested ? 1 : 0);
  }
  return out;
}

Result<EpochSnapshot> DecodeSnapshot(ByteView data) {
  ByteReader rd(data);
  EpochSnapshot s;
  uint8_t version = 0;
  uint64_t n = 0;
  rd.ReadU8(version);
  rd.ReadU64Le(s.epoch);
  rd.ReadU64Le(s.epoch_time);
  rd.ReadArray(s.seed);
  rd.ReadU64Le(s.multiplier);
  rd.ReadArray(s.params_hash);
  rd.ReadArray(s.collateral_hash);
  rd.ReadU64Le(n);
  if (!rd.ok() || version != kVersion) return Corrupt("snapshot header");
  if (n != rd.remaining() / 65 || rd.remaining() % 65 != 0) return Corrupt("snapshot length");
  s.entries.resize(n);
  for (auto& e : s.entries) {
    uint8_t a = 0;
    rd.ReadArray(e.id);
    rd.ReadArray(e.stake_be);
    rd.ReadU8(a);
    if (a > 1) return Corrupt("snapshot flag");
    e.attested = a == 1;
  }
  for (size_t i = 1; i < s.entries.size(); ++i) {
    if (!(s.entries[i - 1].id < s.entries[i].id)) return Corrupt("snapshot order");
  }
  if (!rd.AtEnd()) return Corrupt("snapshot trailing bytes");
  return s;
}

// v2 (header only): u8 version | u64 epoch | u64 epoch_time | seed[32] |
//     u64 multiplier | params_hash[32] | collateral_hash[32] | u64 size
Bytes EncodeSnapshotHeader(const SnapshotHeader& h) {
  Bytes out;
  out.reserve(1 + 8 * 4 + 96);
  PutU8(out, kHeaderVersion);
  PutU64Le(out, h.epoch);
  PutU64Le(out, h.epoch_time);
  PutBytes(out, AsView(h.seed));
  PutU64Le(out, h.multiplier);
  PutBytes(out, AsView(h.params_hash));
  PutBytes(out, AsView(h.collateral_hash));
  PutU64Le(out, h.size);
  return out;
}

Result<SnapshotHeader> DecodeSnapshotHeader(ByteView data) {
  ByteReader rd(data);
  SnapshotHeader h;
  uint8_t version = 0;
  rd.ReadU8(version);
  rd.ReadU64Le(h.epoch);
  rd.ReadU64Le(h.epoch_time);
  rd.ReadArray(h.seed);
  rd.ReadU64Le(h.multiplier);
  rd.ReadArray(h.params_hash);
  rd.ReadArray(h.collateral_hash);
  rd.ReadU64Le(h.size);
  if (!rd.AtEnd() || version != kHeaderVersion) return Corrupt("snapshot header");
  return h;
}

// v1: u8 version | 7 x u64 | total_weight_be[32] | params_hash[32] | collateral_hash[32] | seed[32]
// Report encoding 2 appends the provider counts (issue 15); 1 (written
// before providers existed) decodes with zero providers.
constexpr uint8_t kReportVersion = 2;

Bytes EncodeReport(const EpochReport& r) {
  Bytes out;
  PutU8(out, kReportVersion);
  for (uint64_t v :
       {r.epoch, r.epoch_time, r.snapshot_size, r.attested, r.reevaluated, r.demoted, r.expiring}) {
    PutU64Le(out, v);
  }
  PutBytes(out, AsView(r.total_weight_be));
  PutBytes(out, AsView(r.params_hash));
  PutBytes(out, AsView(r.collateral_hash));
  PutBytes(out, AsView(r.seed));
  for (uint64_t v : {r.providers, r.providers_attested, r.providers_reevaluated,
                     r.providers_demoted, r.providers_expiring}) {
    PutU64Le(out, v);
  }
  return out;
}

Result<EpochReport> DecodeReport(ByteView data) {
  ByteReader rd(data);
  EpochReport r;
  uint8_t version = 0;
  rd.ReadU8(version);
  for (uint64_t* v : {&r.epoch, &r.epoch_time, &r.snapshot_size, &r.attested, &r.reevaluated,
                      &r.demoted, &r.expiring}) {
    rd.ReadU64Le(*v);
  }
  rd.ReadArray(r.total_weight_be);
  rd.ReadArray(r.params_hash);
  rd.ReadArray(r.collateral_hash);
  rd.ReadArray(r.seed);
  if (version == kReportVersion) {
    for (uint64_t* v : {&r.providers, &r.providers_attested, &r.providers_reevaluated,
                        &r.providers_demoted, &r.providers_expiring}) {
      rd.ReadU64Le(*v);
    }
  } else if (version != 1) {
    return Corrupt("epoch report version");
  }
  if (!rd.AtEnd()) return Corrupt("epoch report");
  return r;
}

}  // namespace tenzro::tee::consensus
