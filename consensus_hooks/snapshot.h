// EpochSnapshot and EpochReport: what an epoch freezes (DESIGN §6) and their
// byte-exact encodings. An EpochSnapshot is the materialised form (tests,
// golden vectors, tools); the plugin stores a SnapshotHeader per epoch and
// shares the entries with its registry (consensus_hooks/epoch_view.h).
//
// Consensus code: integers only, id-ordered, no clock.
#pragma once

#include <cstdint>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"
#include "core/u256.h"

namespace tenzro::tee::consensus {

struct SnapshotEntry {
  ValidatorId id{};
  U256Bytes stake_be{};
  bool attested = false;
  friend bool operator==(const SnapshotEntry&, const SnapshotEntry&) = default;
};

struct EpochSnapshot {
  uint64_t epoch = 0;
  uint64_t epoch_time = 0;
  Hash32 seed{};
  uint64_t multiplier = 2;
  Hash32 params_hash{};
  Hash32 collateral_hash{};
  std::vector<SnapshotEntry> entries;  // strictly increasing ids
  friend bool operator==(const EpochSnapshot&, const EpochSnapshot&) = default;
};

// What a database keeps of an epoch's snapshot (schema 2): everything but the
// entries, which the registry rebuilds from its index and undo entries.
struct SnapshotHeader {
  uint64_t epoch = 0;
  uint64_t epoch_time = 0;
  Hash32 seed{};
  uint64_t multiplier = 2;
  Hash32 params_hash{};
  Hash32 collateral_hash{};
  uint64_t size = 0;  // validators in the snapshot
  friend bool operator==(const SnapshotHeader&, const SnapshotHeader&) = default;
};

struct EpochReport {
  uint64_t epoch = 0;
  uint64_t epoch_time = 0;
  uint64_t snapshot_size = 0;
  uint64_t attested = 0;
  uint64_t reevaluated = 0;
  uint64_t demoted = 0;
  uint64_t expiring = 0;
  U256Bytes total_weight_be{};
  Hash32 params_hash{};
  Hash32 collateral_hash{};
  Hash32 seed{};
  // Model providers (issue 15), re-evaluated with the validators against the
  // same admitted collateral (so collateral_hash covers both); no weight.
  uint64_t providers = 0;              // registered at the epoch
  uint64_t providers_attested = 0;     // attested after re-evaluation
  uint64_t providers_reevaluated = 0;  // attested before it
  uint64_t providers_demoted = 0;
  uint64_t providers_expiring = 0;
  friend bool operator==(const EpochReport&, const EpochReport&) = default;
};

Bytes EncodeSnapshot(const EpochSnapshot& s);
Result<EpochSnapshot> DecodeSnapshot(ByteView data);
Bytes EncodeSnapshotHeader(const SnapshotHeader& h);
Result<SnapshotHeader> DecodeSnapshotHeader(ByteView data);
Bytes EncodeReport(const EpochReport& r);
Result<EpochReport> DecodeReport(ByteView data);

}  // namespace tenzro::tee::consensus
