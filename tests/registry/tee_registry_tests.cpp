#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include "registry/tee_registry.h"
#include "support/test_support.h"

using namespace tenzro::tee;
using namespace tenzro::tee::registry;
using tenzro::tee::testing::FaultyStore;
using tenzro::tee::testing::TempDir;

namespace {
ValidatorRecord Rec(const std::string& label, uint64_t stake, bool backs_evidence) {
  ValidatorRecord r;
  r.id = testing::IdFromLabel(label);
  r.stake_be = testing::Stake(stake);
  if (backs_evidence) {
    r.status = ValidatorStatus::kAttested;
    r.tee_type = TeeType::Simulated;
    r.evidence_hash = testing::HashFromLabel("evidence-of-" + label);
    r.valid_until = 1000;
  }
  return r;
}

std::unique_ptr<TeeRegistry> OpenRegistry(const std::string& path) {
  auto r = TeeRegistry::Open(testing::OpenStore(path));
  BOOST_REQUIRE(r.ok());
  return std::move(*r);
}

// Everything the registry holds: the stored records and the index entries
// (claims handles replaced by the claims they name, which is what matters).
struct Contents {
  std::map<ValidatorId, ValidatorRecord> stored;
  std::vector<IndexedValidator> index;
  std::vector<ClaimSet> claims;
  friend bool operator==(const Contents&, const Contents&) = default;
};

Contents Read(const TeeRegistry& reg) {
  Contents c;
  c.index = reg.Entries();
  for (auto& e : c.index) {
    auto rec = reg.Get(e.id);
    BOOST_REQUIRE(rec.ok());
    BOOST_REQUIRE(rec->has_value());
    c.stored.emplace(e.id, **rec);
    auto claims = reg.Claims(e.state.claims);
    BOOST_REQUIRE(claims.ok());
    c.claims.push_back(*claims);
    e.state.claims = 0;
  }
  return c;
}

bool Owns(const TeeRegistry& reg, const std::string& evidence_label) {
  auto owner = reg.EvidenceOwner(testing::HashFromLabel(evidence_label));
  BOOST_REQUIRE(owner.ok());
  return owner->has_value();
}
// Wraps a real store and records every write operation (a fake, not a mock).
class RecordingStore final : public storage::KvStore {
 public:
  explicit RecordingStore(std::unique_ptr<storage::KvStore> inner) : inner_(std::move(inner)) {}
  Result<std::optional<Bytes>> Get(storage::Cf cf, ByteView key) const override {
    return inner_->Get(cf, key);
  }
  Status Write(const storage::WriteBatch& batch) override {
    for (size_t i = 0; i < batch.size(); ++i) {
      const auto op = batch.op(i);
      if (op.kind == storage::WriteBatch::Kind::kDeleteRange) ++range_deletes;
      if (op.kind == storage::WriteBatch::Kind::kDelete)
        deleted.emplace_back(op.key.begin(), op.key.end());
    }
    return inner_->Write(batch);
  }
  Status ForEach(storage::Cf cf, const std::function<bool(ByteView, ByteView)>& fn) const override {
    return inner_->ForEach(cf, fn);
  }
  Status ForEachInRange(storage::Cf cf, ByteView begin, ByteView end,
                        const std::function<bool(ByteView, ByteView)>& fn) const override {
    return inner_->ForEachInRange(cf, begin, end, fn);
  }
  size_t range_deletes = 0;
  std::vector<std::string> deleted;  // keys, hex

 private:
  std::unique_ptr<storage::KvStore> inner_;
};
}  // namespace

BOOST_AUTO_TEST_SUITE(tee_registry)

BOOST_AUTO_TEST_CASE(reopen_gives_back_what_was_acknowledged) {
  TempDir dir;
  Contents expected;
  {
    auto reg = OpenRegistry(dir.Sub("db"));
    ValidatorRecord a = Rec("a", 10, true);
    a.claims = {{"measurement", Bytes(48, 7)}, {"issued_at", Bytes(8, 1)}};
    BOOST_TEST(reg->Upsert({a, Rec("b", 20, false)}).ok());
    BOOST_TEST(reg->Upsert({Rec("c", 30, true)}).ok());
    BOOST_TEST(reg->Remove(testing::IdFromLabel("b")).ok());
    EpochCommit c;
    c.epoch = 3;
    c.snapshot_header = Bytes{1, 2, 3};
    c.report = Bytes{4, 5};
    c.params_hash = testing::HashFromLabel("params");
    BOOST_TEST(reg->CommitEpoch(c).ok());
    expected = Read(*reg);
  }
  auto reg = OpenRegistry(dir.Sub("db"));
  BOOST_TEST((Read(*reg) == expected));
  BOOST_TEST(reg->size() == 2u);
  // a's claims (attested) come back from the store into memory; c has none.
  for (size_t i = 0; i < expected.index.size(); ++i) {
    const bool is_a = expected.index[i].id == testing::IdFromLabel("a");
    BOOST_TEST(expected.claims[i].size() == (is_a ? 2u : 0u));
  }
  BOOST_TEST(reg->last_epoch().value() == 3u);
  BOOST_TEST((reg->params_hash().value() == testing::HashFromLabel("params")));
  BOOST_TEST((reg->EvidenceOwner(testing::HashFromLabel("evidence-of-a")).value().value() ==
              testing::IdFromLabel("a")));
  BOOST_TEST((*reg->LoadSnapshotHeader(3).value() == Bytes{1, 2, 3}));
  BOOST_TEST(!reg->LoadSnapshotHeader(2).value().has_value());
}

BOOST_AUTO_TEST_CASE(one_evidence_backs_one_validator) {
  TempDir dir;
  auto reg = OpenRegistry(dir.Sub("db"));
  BOOST_TEST(reg->Upsert({Rec("a", 10, true)}).ok());
  ValidatorRecord thief = Rec("b", 10, true);
  thief.evidence_hash = testing::HashFromLabel("evidence-of-a");
  auto s = reg->Upsert({thief});
  BOOST_TEST((s.code() == ErrorCode::kInvalidArgument));
  BOOST_TEST(!reg->Contains(testing::IdFromLabel("b")));
  // Within one batch as well.
  ValidatorRecord c = Rec("c", 1, true), d = Rec("d", 1, true);
  d.evidence_hash = c.evidence_hash;
  BOOST_TEST(!reg->Upsert({c, d}).ok());
  BOOST_TEST(!reg->Contains(c.id));
  // Renewal with new evidence frees the old hash for others.
  ValidatorRecord renewed = Rec("a", 11, true);
  renewed.evidence_hash = testing::HashFromLabel("new-evidence-of-a");
  BOOST_TEST(reg->Upsert({renewed}).ok());
  BOOST_TEST(!Owns(*reg, "evidence-of-a"));
  BOOST_TEST(reg->Upsert({thief}).ok());
}

BOOST_AUTO_TEST_CASE(failed_write_leaves_registry_as_it_was) {
  TempDir dir;
  auto faulty = std::make_unique<FaultyStore>(testing::OpenStore(dir.Sub("db")));
  FaultyStore* f = faulty.get();
  auto opened = TeeRegistry::Open(std::move(faulty));
  BOOST_REQUIRE(opened.ok());
  auto& reg = **opened;
  BOOST_TEST(reg.Upsert({Rec("a", 10, true)}).ok());
  const Contents before = Read(reg);
  f->FailWrites(true);
  BOOST_TEST((reg.Upsert({Rec("a", 99, false), Rec("b", 5, true)}).code() == ErrorCode::kStorage));
  BOOST_TEST((reg.Remove(testing::IdFromLabel("a")).code() == ErrorCode::kStorage));
  EpochCommit c;
  c.epoch = 1;
  BOOST_TEST((reg.CommitEpoch(c).code() == ErrorCode::kStorage));
  BOOST_TEST((Read(reg) == before));
  BOOST_TEST(!reg.last_epoch().has_value());
  BOOST_TEST(!Owns(reg, "evidence-of-b"));
  BOOST_TEST(Owns(reg, "evidence-of-a"));
  f->FailWrites(false);
  BOOST_TEST(reg.Upsert({Rec("b", 5, true)}).ok());
}

BOOST_AUTO_TEST_CASE(corrupt_database_is_a_storage_error) {
  TempDir dir;
  {
    auto store = testing::OpenStore(dir.Sub("db"));
    storage::WriteBatch b;
    Bytes key(32, 1), value{1, 2, 3};
    b.Put(storage::Cf::kValidators, AsView(key), AsView(value));
    BOOST_REQUIRE(store->Write(b).ok());
  }
  auto r = TeeRegistry::Open(testing::OpenStore(dir.Sub("db")));
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == ErrorCode::kStorage));
}

BOOST_AUTO_TEST_CASE(newer_schema_is_refused) {
  TempDir dir;
  {
    auto store = testing::OpenStore(dir.Sub("db"));
    storage::WriteBatch b;
    std::string k = "schema_version";
    Bytes v{static_cast<uint8_t>(kSchemaVersion + 1), 0, 0, 0};
    b.Put(storage::Cf::kMetadata, ByteView(reinterpret_cast<const uint8_t*>(k.data()), k.size()),
          AsView(v));
    BOOST_REQUIRE(store->Write(b).ok());
  }
  auto r = TeeRegistry::Open(testing::OpenStore(dir.Sub("db")));
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == ErrorCode::kStorage));
}

BOOST_AUTO_TEST_CASE(locked_database_is_a_storage_error) {
  TempDir dir;
  auto first = testing::OpenStore(dir.Sub("db"));
  storage::RocksOptions o;
  o.path = dir.Sub("db");
  auto second = storage::OpenRocksStore(o);
  BOOST_REQUIRE(!second.ok());
  BOOST_TEST((second.status().code() == ErrorCode::kStorage));
}

// An epoch demotes by writing a status overlay beside the record (no read,
// no rewrite); Get and reopen merge it, and a new registration clears it.
BOOST_AUTO_TEST_CASE(demotion_overlays_the_record_until_the_next_registration) {
  TempDir dir;
  ValidatorRecord a = Rec("a", 10, true);
  a.claims = {{"measurement", Bytes(48, 3)}};
  auto check_demoted = [&](const TeeRegistry& reg) {
    auto got = reg.Get(a.id);
    BOOST_REQUIRE(got.ok());
    BOOST_REQUIRE(got->has_value());
    BOOST_TEST(((*got)->status == ValidatorStatus::kRevoked));
    BOOST_TEST(((*got)->reason == FailureCode::kRevoked));
    BOOST_TEST((*got)->verified_at_epoch == 4u);
    BOOST_TEST(((*got)->claims == a.claims));  // the stored record keeps them
    auto idx = reg.Find(a.id);
    BOOST_TEST(idx->state.status == static_cast<uint8_t>(ValidatorStatus::kRevoked));
    BOOST_TEST(idx->state.claims == 0u);  // no longer re-evaluated: not kept in memory
    BOOST_TEST(reg.claim_store().live() == 0u);
  };
  {
    auto reg = OpenRegistry(dir.Sub("db"));
    BOOST_TEST(reg->Upsert({a, Rec("b", 5, false)}).ok());
    BOOST_TEST(reg->claim_store().live() == 1u);
    EpochCommit c;
    c.epoch = 4;
    c.demotions = {Demotion{a.id, ValidatorStatus::kRevoked, FailureCode::kRevoked}};
    BOOST_TEST(reg->CommitEpoch(c).ok());
    check_demoted(*reg);
  }
  {
    auto reg = OpenRegistry(dir.Sub("db"));
    check_demoted(*reg);
    BOOST_TEST(reg->Upsert({a}).ok());  // renewal: attested again, overlay gone
  }
  auto reg = OpenRegistry(dir.Sub("db"));
  auto got = reg->Get(a.id);
  BOOST_REQUIRE(got.ok());
  BOOST_TEST((**got == a));
  BOOST_TEST(reg->claim_store().live() == 1u);
  BOOST_TEST(reg->Remove(a.id).ok());
  BOOST_TEST(!reg->Get(a.id).value().has_value());
}

// ---- the compact index and the claim store -----------------------------------

BOOST_AUTO_TEST_CASE(index_shares_frozen_buckets_copy_on_write) {
  ValidatorIndex index;
  const U256 big = (U256(1) << 200) + 5;
  std::vector<ValidatorId> ids;
  for (int i = 0; i < 300; ++i) {
    ids.push_back(testing::IdFromLabel("cow" + std::to_string(i)));
    StateEntry st;
    st.valid_until = i;
    index.Put(ids.back(), i == 7 ? U256ToBe(big) : testing::Stake(1000 + static_cast<uint64_t>(i)),
              st);
  }
  BOOST_TEST(index.size() == 300u);
  auto frozen = index.Freeze();
  const size_t b = BucketOf(ids[3]);
  // A renewal with the same stake touches only the state: the bucket stays shared.
  StateEntry renewed;
  renewed.valid_until = 12345;
  index.Put(ids[3], testing::Stake(1003), renewed);
  BOOST_TEST(index.shared_bucket(b).get() == frozen->buckets[b].get());
  BOOST_TEST(index.Find(ids[3])->state.valid_until == 12345);
  // A stake change copies the bucket; the frozen one keeps the old stake.
  index.Put(ids[3], testing::Stake(9), renewed);
  BOOST_TEST(index.shared_bucket(b).get() != frozen->buckets[b].get());
  auto [old_pos, old_found] = Locate(*frozen->buckets[b], ids[3]);
  BOOST_REQUIRE(old_found);
  BOOST_TEST(frozen->buckets[b]->Stake(old_pos) == 1003);
  // ...while the id column, unchanged, is still shared.
  BOOST_TEST(index.shared_bucket(b)->ids.get() == frozen->buckets[b]->ids.get());
  BOOST_TEST(U256FromBe(index.Find(ids[3])->stake_be) == 9);
  // Stakes past 2^64 (and a zero one from a damaged store) round-trip.
  BOOST_TEST(U256FromBe(index.Find(ids[7])->stake_be) == big);
  index.Put(ids[7], U256Bytes{}, {});
  BOOST_TEST(U256FromBe(index.Find(ids[7])->stake_be) == 0);
  index.Put(ids[7], testing::Stake(5), {});
  BOOST_TEST(U256FromBe(index.Find(ids[7])->stake_be) == 5);
  // Erase and membership; the frozen set still has everyone, in id order.
  BOOST_TEST(index.Erase(ids[0]));
  BOOST_TEST(!index.Erase(ids[0]));
  BOOST_TEST(!index.Find(ids[0]).has_value());
  BOOST_TEST(index.size() == 299u);
  BOOST_TEST(frozen->size == 300u);
  std::vector<ValidatorId> seen;
  for (const auto& bucket : frozen->buckets) {
    if (bucket)
      for (size_t k = 0; k < bucket->size(); ++k) seen.push_back(bucket->id(k));
  }
  std::vector<ValidatorId> sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  BOOST_TEST((seen == sorted));
  size_t visited = 0;
  ValidatorId prev{};
  index.ForEach([&](const CoreBucket& bucket, size_t k, const StateEntry&) {
    BOOST_TEST((visited == 0 || prev < bucket.id(k)));
    prev = bucket.id(k);
    ++visited;
  });
  BOOST_TEST(visited == 299u);
}

BOOST_AUTO_TEST_CASE(claim_store_round_trips_and_reuses_handles) {
  ClaimStore store;
  BOOST_TEST(store.Add({}) == 0u);  // no claims: no handle
  BOOST_TEST(store.Get(0).value().empty());
  ClaimSet a = {{"measurement", Bytes(48, 1)}, {"issued_at", Bytes(8, 2)}};
  ClaimSet b = {{"fmspc", Bytes{1, 2, 3, 4, 5, 6}}};
  const uint32_t ha = store.Add(a), hb = store.Add(b);
  BOOST_TEST(ha != hb);
  BOOST_TEST((store.Get(ha).value() == a));
  BOOST_TEST((store.Get(hb).value() == b));
  BOOST_TEST(store.live() == 2u);
  store.Release(ha);
  BOOST_TEST(store.live() == 1u);
  const uint32_t hc = store.Add(b);
  BOOST_TEST(hc == ha);  // the freed slot is reused
  BOOST_TEST((store.Get(hc).value() == b));
  BOOST_TEST((store.Get(999).status().code() == ErrorCode::kInternal));
  // DecodeInto reuses a set with the same keys, and rebuilds one without.
  ClaimSet scratch = b;
  scratch["fmspc"] = Bytes{9};
  BOOST_TEST(store.DecodeInto(hc, scratch).ok());
  BOOST_TEST((scratch == b));
  BOOST_TEST(store.DecodeInto(hb, scratch).ok());
  BOOST_TEST((scratch == b));
  const uint32_t hd = store.Add(a);
  BOOST_TEST(store.DecodeInto(hd, scratch).ok());
  BOOST_TEST((scratch == a));
  BOOST_TEST(store.DecodeInto(0, scratch).ok());
  BOOST_TEST(scratch.empty());
}

BOOST_AUTO_TEST_CASE(undo_images_round_trip_and_reject_garbage) {
  SnapshotImage absent;
  SnapshotImage present{true, testing::Stake(77), true};
  BOOST_TEST((DecodeImage(AsView(EncodeImage(absent))).value() == absent));
  BOOST_TEST((DecodeImage(AsView(EncodeImage(present))).value() == present));
  Bytes bad = EncodeImage(present);
  bad.back() = 2;
  BOOST_TEST((DecodeImage(AsView(bad)).status().code() == ErrorCode::kStorage));
  bad.pop_back();
  BOOST_TEST((DecodeImage(AsView(bad)).status().code() == ErrorCode::kStorage));
  Bytes trailing = EncodeImage(absent);
  trailing.push_back(0);
  BOOST_TEST((DecodeImage(AsView(trailing)).status().code() == ErrorCode::kStorage));
}

// Retention (issue 9, item 12) deletes each retired key once, with point
// deletes and no range tombstone, also when epochs skip or the window moves
// back; reports stay.
BOOST_AUTO_TEST_CASE(retention_deletes_each_retired_key_once) {
  TempDir dir;
  auto rec = std::make_unique<RecordingStore>(testing::OpenStore(dir.Sub("db")));
  RecordingStore* seen = rec.get();
  auto opened = TeeRegistry::Open(std::move(rec));
  BOOST_REQUIRE(opened.ok());
  auto& reg = **opened;
  auto commit = [&](uint64_t epoch, std::optional<uint64_t> drop) {
    BOOST_REQUIRE(reg.Upsert({Rec("v", 100 + epoch, false)}).ok());  // an undo entry an epoch
    EpochCommit c;
    c.epoch = epoch;
    c.snapshot_header = {1};
    c.report = {2};
    c.drop_through = drop;
    BOOST_REQUIRE(reg.CommitEpoch(c).ok());
  };
  for (uint64_t e = 1; e <= 30; ++e)
    commit(e, e >= 8 ? std::optional<uint64_t>(e - 8) : std::nullopt);
  commit(31, 20);   // the window moved back: nothing to delete again
  commit(100, 92);  // epochs skipped: everything up to 92 goes at once
  BOOST_TEST(seen->range_deletes == 0u);
  std::set<std::string> unique(seen->deleted.begin(), seen->deleted.end());
  BOOST_TEST(unique.size() == seen->deleted.size());
  for (uint64_t e = 1; e <= 31; ++e) {
    BOOST_TEST(!reg.LoadSnapshotHeader(e).value().has_value());
    BOOST_TEST(reg.LoadReport(e).value().has_value());
  }
  BOOST_TEST(reg.LoadSnapshotHeader(100).value().has_value());
  // 31 headers and 31 undo entries: the Upsert before epoch e + 1 logged
  // v's image as of epoch e, for e = 1..31.
  BOOST_TEST(seen->deleted.size() == 31u + 31u);
}

// Close flushes (issue 9, item 12): what was written is in table files, and
// the next open has no write-ahead log to replay.
BOOST_AUTO_TEST_CASE(close_flushes_the_memtables) {
  TempDir dir;
  {
    auto reg = OpenRegistry(dir.Sub("db"));
    for (int i = 0; i < 200; ++i)
      BOOST_REQUIRE(reg->Upsert({Rec("f" + std::to_string(i), 5, false)}).ok());
  }
  uintmax_t wal_bytes = 0;
  size_t tables = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir.Sub("db"))) {
    if (f.path().extension() == ".log") wal_bytes += f.file_size();
    if (f.path().extension() == ".sst") ++tables;
  }
  BOOST_TEST(wal_bytes == 0u);
  BOOST_TEST(tables > 0u);
  auto reg = OpenRegistry(dir.Sub("db"));
  BOOST_TEST(reg->size() == 200u);
}

// Threads and descriptors of this process: /proc/self/task and /proc/self/fd.
size_t CountEntries(const char* dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}
std::string ThreadNames() {
  std::string out;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(e.path() / "comm");
    std::string name;
    std::getline(comm, name);
    out += name + " ";
  }
  return out;
}

// The store's RocksDB threads are its own and are joined at close (issue
// 9, item 11): after 200 open/write/flush/close cycles the process has the
// threads and descriptors it had before. With Env::Default()'s pools the
// first flush started rocksdb:high (and compactions rocksdb:low), which ran
// until the process exited.
BOOST_AUTO_TEST_CASE(close_joins_the_store_threads) {
  // On tmpfs when there is one: each open syncs its manifest and each close
  // its flush, which costs seconds on a disk and is not what is tested.
  std::optional<TempDir> dir;
  if (std::filesystem::is_directory("/dev/shm")) {
    const char* old_tmp = std::getenv("TMPDIR");
    const std::string saved = old_tmp != nullptr ? old_tmp : "";
    setenv("TMPDIR", "/dev/shm", 1);
    dir.emplace();
    if (old_tmp != nullptr)
      setenv("TMPDIR", saved.c_str(), 1);
    else
      unsetenv("TMPDIR");
  } else {
    dir.emplace();
  }
  const size_t threads_before = CountEntries("/proc/self/task");
  const size_t fds_before = CountEntries("/proc/self/fd");
  const std::string names_before = ThreadNames();
  for (int i = 0; i < 200; ++i) {
    storage::RocksOptions o;
    o.path = dir->Sub("db");
    o.memory_budget_bytes = 8u << 20;
    o.sync_writes = false;
    auto store = storage::OpenRocksStore(o);
    BOOST_REQUIRE(store.ok());
    storage::WriteBatch b;
    Bytes key;
    PutU64Be(key, static_cast<uint64_t>(i));
    b.Put(storage::Cf::kMetadata, AsView(key), AsView(key));
    BOOST_REQUIRE((*store)->Write(b).ok());
    // Close flushes: a flush job on the HIGH pool every cycle, and table
    // files accumulate until a compaction runs on the LOW pool.
  }
  BOOST_TEST(CountEntries("/proc/self/task") == threads_before,
             "threads now: " << ThreadNames() << "; before: " << names_before);
  BOOST_TEST(CountEntries("/proc/self/fd") == fds_before);
  auto store = testing::OpenStore(dir->Sub("db"));
  size_t n = 0;
  BOOST_REQUIRE(
      store->ForEach(storage::Cf::kMetadata, [&](ByteView, ByteView) { return ++n, true; }).ok());
  BOOST_TEST(n == 200u);
}

BOOST_AUTO_TEST_SUITE_END()
