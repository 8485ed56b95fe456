// The exported C shell (DESIGN §11): C structs <-> C++ types, argument checks,
// the exception firewall and status codes. Only tee_negotiate, tee_abi_hash and
// tee_status_str are exported (abi/exports.map); everything else is reached
// through the table.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <new>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "abi/tenzro_tee.h"
#include "attestation/binding.h"
#include "attestation/detect/provider.h"
#include "attestation/mpc/frost.h"
#include "attestation/verdict.h"
#include "core/thread_annotations.h"
#include "plugin/plugin.h"
#include "plugin/provider_json.h"
#include "plugin/version.h"

// The handle owns its last-error messages (one per calling thread), so they
// die with it at close: a new handle at a reused address starts clean, and
// no thread_local with a destructor keeps the module mapped after dlclose.
struct tee_handle {
  std::unique_ptr<tenzro::tee::plugin::Plugin> plugin;
  mutable tenzro::tee::Mutex errors_mu;
  // A thread's entry is written only by that thread, so the c_str() that
  // last_error returns stays valid until the same thread's next call.
  mutable std::map<std::thread::id, std::string> errors GUARDED_BY(errors_mu);
};

namespace {
using tenzro::tee::Bytes;
using tenzro::tee::ByteView;
using tenzro::tee::ErrorCode;
using tenzro::tee::Hash32;
using tenzro::tee::Status;
using tenzro::tee::ValidatorId;

static_assert(static_cast<int32_t>(ErrorCode::kInternal) == TEE_ERR_INTERNAL);
static_assert(static_cast<int32_t>(ErrorCode::kCollateral) == TEE_ERR_COLLATERAL);
static_assert(static_cast<int32_t>(ErrorCode::kAuthentication) == TEE_ERR_AUTHENTICATION);
static_assert(static_cast<int32_t>(tenzro::tee::kLastFailureCode) + 1 == TEE_FAIL_INTERNAL);
static_assert(static_cast<int32_t>(tenzro::tee::TeeType::Simulated) == TEE_TYPE_SIMULATED);

// Errors of NULL-handle calls (open): per thread, in a trivially
// destructible buffer (a thread_local with a destructor would pin the module
// in memory for the life of every calling thread).
constexpr size_t kOpenErrorBytes = 1024;
thread_local char t_open_error[kOpenErrorBytes];

void SetError(const tee_handle* h, const std::string& msg) {
  if (h == nullptr) {
    const size_t n = std::min(msg.size(), kOpenErrorBytes - 1);
    std::memcpy(t_open_error, msg.data(), n);
    t_open_error[n] = '\0';
    return;
  }
  tenzro::tee::MutexLock lock(&h->errors_mu);
  h->errors[std::this_thread::get_id()] = msg;
}

void ClearError(const tee_handle* h) {
  if (h == nullptr) {
    t_open_error[0] = '\0';
    return;
  }
  tenzro::tee::MutexLock lock(&h->errors_mu);
  h->errors.erase(std::this_thread::get_id());
}

int32_t Fail(const tee_handle* h, ErrorCode code, const std::string& msg) {
  SetError(h, msg);
  return static_cast<int32_t>(code);
}

int32_t FromStatus(const tee_handle* h, const Status& s) {
  if (s.ok()) {
    ClearError(h);
    return TEE_OK;
  }
  SetError(h, s.message());
  return static_cast<int32_t>(s.code());
}

// Runs body, mapping every exception to a status: nothing crosses the ABI.
template <typename F>
int32_t Guard(const tee_handle* h, F&& body) noexcept {
  try {
    return FromStatus(h, body());
  } catch (const std::bad_alloc&) {
    try {
      return Fail(h, ErrorCode::kInternal, "out of memory");
    } catch (...) {
      return TEE_ERR_INTERNAL;
    }
  } catch (const std::exception& e) {
    try {
      return Fail(h, ErrorCode::kInternal, std::string("internal error: ") + e.what());
    } catch (...) {
      return TEE_ERR_INTERNAL;
    }
  } catch (...) {
    return TEE_ERR_INTERNAL;
  }
}

Status Arg(const char* name, const char* what) {
  return Status(ErrorCode::kInvalidArgument, std::string(name) + ": " + what);
}

template <size_t N>
std::array<uint8_t, N> Copy(const uint8_t* p) {
  std::array<uint8_t, N> a{};
  std::memcpy(a.data(), p, N);
  return a;
}

// Allocates with malloc so the host-facing free() is std::free.
template <typename T>
T* Alloc(size_t n) {
  void* p = std::malloc(std::max<size_t>(n, 1) * sizeof(T));
  if (p == nullptr) throw std::bad_alloc();
  return static_cast<T*>(p);
}

char* DupString(const std::string& s, size_t* len) {
  char* out = Alloc<char>(s.size() + 1);
  std::memcpy(out, s.data(), s.size());
  out[s.size()] = '\0';
  if (len != nullptr) *len = s.size();
  return out;
}

// Bytes the host frees with the table's free().
void CopyOut(const Bytes& bytes, uint8_t** out, size_t* out_len) {
  uint8_t* buf = Alloc<uint8_t>(bytes.size());
  std::memcpy(buf, bytes.data(), bytes.size());
  *out = buf;
  *out_len = bytes.size();
}

Status CheckHandle(const tee_handle* h) {
  if (h == nullptr || !h->plugin) return Arg("handle", "is NULL");
  return Status::Ok();
}

Status ToRegistration(const uint8_t* id, const uint8_t* stake, int32_t tee_type,
                      const uint8_t* evidence, size_t evidence_len, const uint8_t* challenge,
                      uint64_t registered_at, tenzro::tee::consensus::Registration& out) {
  if (id == nullptr) return Arg("validator_id", "is NULL");
  if (stake == nullptr) return Arg("stake_be", "is NULL");
  if (evidence == nullptr && evidence_len != 0)
    return Arg("evidence", "is NULL with a non-zero length");
  auto type = tenzro::tee::TeeTypeFromInt(tee_type);
  if (!type) return Arg("tee_type", "is not a TEE_TYPE_* value");
  out.id = Copy<32>(id);
  out.stake_be = Copy<32>(stake);
  out.tee_type = *type;
  out.evidence = evidence_len == 0 ? ByteView() : ByteView(evidence, evidence_len);
  if (challenge != nullptr) out.challenge = Copy<32>(challenge);
  out.registered_at = registered_at;
  return Status::Ok();
}

void FillResult(const tenzro::tee::consensus::RegisterOutcome& o, tee_register_result* out) {
  if (out == nullptr) return;
  out->attested = o.attested ? 1 : 0;
  out->reason = static_cast<int32_t>(o.reason);
  out->valid_until = o.valid_until;
  std::memcpy(out->evidence_hash, o.evidence_hash.data(), 32);
}

void FillReport(const tenzro::tee::consensus::EpochReport& r, tee_epoch_report* out) {
  if (out == nullptr) return;
  std::memset(out, 0, sizeof(*out));
  out->epoch = r.epoch;
  out->epoch_time = r.epoch_time;
  out->snapshot_size = r.snapshot_size;
  out->attested = r.attested;
  out->reevaluated = r.reevaluated;
  out->demoted = r.demoted;
  out->expiring = r.expiring;
  std::memcpy(out->total_weight_be, r.total_weight_be.data(), 32);
  std::memcpy(out->params_hash, r.params_hash.data(), 32);
  std::memcpy(out->collateral_hash, r.collateral_hash.data(), 32);
}

void FillRecord(const tenzro::tee::registry::ValidatorRecord& r, tee_record& out) {
  std::memset(&out, 0, sizeof(out));
  std::memcpy(out.validator_id, r.id.data(), 32);
  std::memcpy(out.stake_be, r.stake_be.data(), 32);
  out.tee_type = static_cast<int32_t>(r.tee_type);
  out.status = static_cast<int32_t>(r.status);
  out.reason = static_cast<int32_t>(r.reason);
  std::memcpy(out.evidence_hash, r.evidence_hash.data(), 32);
  out.valid_until = r.valid_until;
  out.registered_at = r.registered_at;
  out.verified_at_epoch = r.verified_at_epoch;
  out.registered_epoch = r.registered_epoch;
}

// ---- table entries ---------------------------------------------------------

int32_t Open(const char* config_path, const tee_host_callbacks* cb, tee_handle** out) {
  return Guard(nullptr, [&]() -> Status {
    if (out == nullptr) return Arg("out", "is NULL");
    *out = nullptr;
    if (config_path == nullptr) return Arg("config_path", "is NULL");
    auto p = tenzro::tee::plugin::Plugin::Open(config_path, cb);
    if (!p.ok()) return p.status();
    auto* h = new tee_handle();
    h->plugin = std::move(*p);
    *out = h;
    return Status::Ok();
  });
}

int32_t Close(tee_handle* h) {
  if (h == nullptr) return TEE_OK;
  return Guard(nullptr, [&]() -> Status {
    delete h;  // its last-error messages with it
    return Status::Ok();
  });
}

int32_t RegisterValidator(tee_handle* h, const uint8_t* id, const uint8_t* stake, int32_t tee_type,
                          const uint8_t* evidence, size_t evidence_len, const uint8_t* challenge,
                          uint64_t registered_at, tee_register_result* out) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    tenzro::tee::consensus::Registration reg;
    TEE_TRY(
        ToRegistration(id, stake, tee_type, evidence, evidence_len, challenge, registered_at, reg));
    auto o = h->plugin->RegisterValidator(reg);
    if (!o.ok()) return o.status();
    FillResult(*o, out);
    return Status::Ok();
  });
}

constexpr size_t kMaxBatchRegistrations = TEE_MAX_BATCH;

int32_t RegisterBatch(tee_handle* h, const tee_registration* regs, size_t n,
                      tee_register_result* out) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    if (regs == nullptr && n != 0) return Arg("regs", "is NULL with a non-zero count");
    // Checked before anything is allocated: an absurd count is the caller's
    // mistake, not an internal (out of memory) failure.
    if (n > kMaxBatchRegistrations) {
      return Arg("n",
                 ("is over " + std::to_string(kMaxBatchRegistrations) + " registrations per batch")
                     .c_str());
    }
    std::vector<tenzro::tee::consensus::Registration> v(n);
    for (size_t i = 0; i < n; ++i) {
      const tee_registration& r = regs[i];
      Status s = ToRegistration(r.validator_id, r.stake_be, r.tee_type, r.evidence, r.evidence_len,
                                r.challenge, r.registered_at, v[i]);
      if (!s.ok()) return Status(s.code(), "regs[" + std::to_string(i) + "]." + s.message());
    }
    auto o = h->plugin->RegisterBatch(v);
    if (!o.ok()) return o.status();
    for (size_t i = 0; out != nullptr && i < n; ++i) FillResult((*o)[i], &out[i]);
    return Status::Ok();
  });
}

int32_t Deregister(tee_handle* h, const uint8_t* id) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    if (id == nullptr) return Arg("validator_id", "is NULL");
    return h->plugin->hooks().Deregister(Copy<32>(id));
  });
}

int32_t SubmitCollateral(tee_handle* h, int32_t tee_type, const uint8_t* data, size_t len,
                         uint64_t now) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    if (data == nullptr || len == 0) return Arg("data", "is NULL or empty");
    auto type = tenzro::tee::TeeTypeFromInt(tee_type);
    if (!type) return Arg("tee_type", "is not a TEE_TYPE_* value");
    return h->plugin->hooks().SubmitCollateral(*type, ByteView(data, len), now);
  });
}

int32_t GetRecord(tee_handle* h, const uint8_t* id, tee_record* out) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    if (id == nullptr) return Arg("validator_id", "is NULL");
    if (out == nullptr) return Arg("out", "is NULL");
    auto r = h->plugin->hooks().GetRecord(Copy<32>(id));
    if (!r.ok()) return r.status();
    FillRecord(*r, *out);
    return Status::Ok();
  });
}

int32_t OnEpoch(tee_handle* h, uint64_t epoch, uint64_t epoch_time, const uint8_t* seed,
                tee_epoch_report* out) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    if (seed == nullptr) return Arg("seed", "is NULL");
    auto r = h->plugin->OnEpoch(epoch, epoch_time, Copy<32>(seed));
    if (!r.ok()) return r.status();
    FillReport(*r, out);
    return Status::Ok();
  });
}

int32_t GetWeights(tee_handle* h, uint64_t epoch, tee_weight** out, size_t* n) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    if (out == nullptr || n == nullptr) return Arg("out", "is NULL");
    *out = nullptr;
    *n = 0;
    auto view = h->plugin->hooks().Epoch(epoch);
    if (!view.ok()) return view.status();
    const auto& v = **view;
    if (v.size() == 0) return Status(ErrorCode::kEmpty, "epoch has no validators");
    tee_weight* w = Alloc<tee_weight>(v.size());
    Status st = v.ForEachWeight([&](size_t i, const ValidatorId& id,
                                    const tenzro::tee::U256Bytes& weight_be, bool attested) {
      std::memset(&w[i], 0, sizeof(tee_weight));
      std::memcpy(w[i].validator_id, id.data(), 32);
      std::memcpy(w[i].weight_be, weight_be.data(), 32);
      w[i].attested = attested ? 1 : 0;
    });
    if (!st.ok()) {
      std::free(w);
      return st;
    }
    *out = w;
    *n = v.size();
    return Status::Ok();
  });
}

int32_t Leader(tee_handle* h, uint64_t epoch, uint64_t slot, uint8_t* out_id) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    if (out_id == nullptr) return Arg("out_id", "is NULL");
    auto view = h->plugin->hooks().Epoch(epoch);
    if (!view.ok()) return view.status();
    auto table = (*view)->Table();
    if (!table.ok()) return table.status();
    uint32_t i = (*table)->LeaderIndex(slot);
    std::memcpy(out_id, (*view)->IdAt(i).data(), 32);
    return Status::Ok();
  });
}

constexpr uint64_t kMaxScheduleSlots = uint64_t{1} << 28;

int32_t Schedule(tee_handle* h, uint64_t epoch, uint64_t first_slot, uint64_t count,
                 uint32_t** out) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    if (out == nullptr) return Arg("out", "is NULL");
    *out = nullptr;
    if (count == 0) return Arg("count", "is zero");
    if (count > kMaxScheduleSlots) return Status(ErrorCode::kTooLarge, "count over 2^28 slots");
    if (first_slot > UINT64_MAX - (count - 1)) return Arg("first_slot", "range passes 2^64");
    auto view = h->plugin->hooks().Epoch(epoch);
    if (!view.ok()) return view.status();
    auto table = (*view)->Table();
    if (!table.ok()) return table.status();
    uint32_t* s = Alloc<uint32_t>(static_cast<size_t>(count));
    (*table)->Schedule(first_slot, count, s);
    *out = s;
    return Status::Ok();
  });
}

// The standalone part of verify and verify_hybrid: evidence, TEE type and
// the caller's collateral blobs under the node limits of [tee].
Status ToStandalone(const tee_handle* h, int32_t tee_type, const uint8_t* evidence,
                    size_t evidence_len, const tee_blob* collateral, size_t n_collateral,
                    uint64_t now, tenzro::tee::StandaloneRequest& req) {
  if (evidence == nullptr || evidence_len == 0) return Arg("evidence", "is NULL or empty");
  if (evidence_len > h->plugin->config().max_evidence_bytes) {
    return Status(ErrorCode::kTooLarge, "evidence over max_evidence_bytes");
  }
  if (collateral == nullptr && n_collateral != 0)
    return Arg("collateral", "is NULL with a non-zero count");
  auto type = tenzro::tee::TeeTypeFromInt(tee_type);
  if (!type || *type == tenzro::tee::TeeType::None) return Arg("tee_type", "is not a TEE type");
  req.tee_type = *type;
  req.evidence = ByteView(evidence, evidence_len);
  // Node limits of this non-consensus call ([tee] verify_max_collateral_*),
  // checked before any blob is looked at.
  const auto& config = h->plugin->config();
  if (n_collateral > config.verify_max_collateral_blobs) {
    return Status(ErrorCode::kTooLarge, "collateral: " + std::to_string(n_collateral) +
                                            " blobs, over [tee] verify_max_collateral_blobs = " +
                                            std::to_string(config.verify_max_collateral_blobs));
  }
  uint64_t total = 0;
  for (size_t i = 0; i < n_collateral; ++i) {
    if (collateral[i].data == nullptr && collateral[i].len != 0) {
      return Arg("collateral", ("[" + std::to_string(i) + "] is NULL with a length").c_str());
    }
    total += collateral[i].len;  // each len <= SIZE_MAX, at most 2^16 of them: no wrap in u64
    if (collateral[i].len > config.verify_max_collateral_bytes ||
        total > config.verify_max_collateral_bytes) {
      return Status(ErrorCode::kTooLarge, "collateral: over [tee] verify_max_collateral_bytes = " +
                                              std::to_string(config.verify_max_collateral_bytes) +
                                              " bytes in all");
    }
  }
  req.collateral_blobs.reserve(n_collateral);
  for (size_t i = 0; i < n_collateral; ++i) {
    req.collateral_blobs.emplace_back(collateral[i].data, collateral[i].len);
  }
  req.now = now;
  return Status::Ok();
}

int32_t Verify(tee_handle* h, int32_t tee_type, const uint8_t* evidence, size_t evidence_len,
               const tee_blob* collateral, size_t n_collateral, uint64_t now,
               const uint8_t* validator_id, const uint8_t* challenge, char** json_out,
               size_t* json_len) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    if (json_out == nullptr) return Arg("json_out", "is NULL");
    *json_out = nullptr;
    if ((validator_id == nullptr) != (challenge == nullptr)) {
      return Arg("validator_id/challenge", "give both or neither");
    }
    tenzro::tee::StandaloneRequest req;
    TEE_TRY(ToStandalone(h, tee_type, evidence, evidence_len, collateral, n_collateral, now, req));
    if (validator_id != nullptr) {
      req.binding = tenzro::tee::BindingInput{Copy<32>(validator_id), Copy<32>(challenge)};
    }
    auto v = h->plugin->Verify(std::move(req));
    if (!v.ok()) return v.status();
    *json_out = DupString(tenzro::tee::VerdictToJson(*v).dump(), json_len);
    return Status::Ok();
  });
}

int32_t SimulateEvidence(tee_handle* h, const uint8_t* id, const uint8_t* challenge,
                         uint64_t issued_at, uint8_t** out, size_t* out_len) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    if (out == nullptr || out_len == nullptr) return Arg("out", "is NULL");
    *out = nullptr;
    *out_len = 0;
    if (id == nullptr) return Arg("validator_id", "is NULL");
    if (challenge == nullptr) return Arg("challenge", "is NULL");
    auto ev = h->plugin->SimulateEvidence(Copy<32>(id), Copy<32>(challenge), issued_at);
    if (!ev.ok()) return ev.status();
    CopyOut(*ev, out, out_len);
    return Status::Ok();
  });
}

void Free(void* p) { std::free(p); }

const char* LastError(const tee_handle* h) {
  if (h == nullptr) return t_open_error;
  try {
    tenzro::tee::MutexLock lock(&h->errors_mu);
    auto it = h->errors.find(std::this_thread::get_id());
    return it == h->errors.end() ? "" : it->second.c_str();
  } catch (...) {
    return "";
  }
}

int32_t StatusJson(tee_handle* h, char** json_out, size_t* json_len) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    if (json_out == nullptr) return Arg("json_out", "is NULL");
    *json_out = DupString(h->plugin->StatusJson(), json_len);
    return Status::Ok();
  });
}

// ---- issue 12: detection and evidence generation ---------------------------

// The machine as it is: devices under "/", CPUID of this CPU, the system's NVML.
tenzro::tee::detect::Environment MachineEnvironment(const tenzro::tee::DeviceIo& io) {
  tenzro::tee::detect::Environment env;
  env.io = &io;
  return env;
}

int32_t Detect(tee_handle* h, char** json_out, size_t* json_len) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    if (json_out == nullptr) return Arg("json_out", "is NULL");
    *json_out = nullptr;
    auto io = tenzro::tee::SystemDeviceIo();
    const auto d = tenzro::tee::detect::detect_tee(MachineEnvironment(*io));
    *json_out = DupString(tenzro::tee::detect::DetectionToJson(d).dump(), json_len);
    return Status::Ok();
  });
}

int32_t GenerateEvidence(tee_handle* h, int32_t tee_type, const uint8_t* id,
                         const uint8_t* challenge, uint64_t issued_at, uint8_t** out,
                         size_t* out_len) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    if (out == nullptr || out_len == nullptr) return Arg("out", "is NULL");
    *out = nullptr;
    *out_len = 0;
    if (id == nullptr) return Arg("validator_id", "is NULL");
    if (challenge == nullptr) return Arg("challenge", "is NULL");
    auto type = tenzro::tee::TeeTypeFromInt(tee_type);
    if (!type || *type == tenzro::tee::TeeType::None) return Arg("tee_type", "is not a TEE type");
    tenzro::tee::Result<Bytes> ev = Bytes{};
    if (*type == tenzro::tee::TeeType::Simulated) {
      ev = h->plugin->SimulateEvidence(Copy<32>(id), Copy<32>(challenge), issued_at);
    } else {
      auto io = tenzro::tee::SystemDeviceIo();
      ev = tenzro::tee::GenerateEvidence(
          *type, tenzro::tee::BindingInput{Copy<32>(id), Copy<32>(challenge)},
          MachineEnvironment(*io));
    }
    if (!ev.ok()) return ev.status();
    CopyOut(*ev, out, out_len);
    return Status::Ok();
  });
}

// ---- issue 14: enclave crypto and MPC key shares ----------------------------

Status CheckBytes(const char* name, const uint8_t* p, size_t len) {
  if (p == nullptr && len != 0) return Arg(name, "is NULL with a length");
  return Status::Ok();
}

ByteView View(const uint8_t* p, size_t len) { return p == nullptr ? ByteView() : ByteView(p, len); }

std::string_view KeyIdView(const uint8_t* p, size_t len) {
  return {reinterpret_cast<const char*>(p), len};
}

Status OutBuffer(uint8_t** out, size_t* out_len) {
  if (out == nullptr || out_len == nullptr) return Arg("out", "is NULL");
  *out = nullptr;
  *out_len = 0;
  return Status::Ok();
}

void GiveBytes(const Bytes& b, uint8_t** out, size_t* out_len) {
  uint8_t* buf = Alloc<uint8_t>(b.size());
  if (!b.empty()) std::memcpy(buf, b.data(), b.size());
  *out = buf;
  *out_len = b.size();
}

int32_t EnclaveEncrypt(tee_handle* h, const uint8_t* key_id, size_t key_id_len,
                       const uint8_t* plaintext, size_t plaintext_len, uint8_t** out,
                       size_t* out_len) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    TEE_TRY(OutBuffer(out, out_len));
    if (key_id == nullptr) return Arg("key_id", "is NULL");
    TEE_TRY(CheckBytes("plaintext", plaintext, plaintext_len));
    auto r = h->plugin->enclave().crypto().Encrypt(KeyIdView(key_id, key_id_len),
                                                   View(plaintext, plaintext_len));
    if (!r.ok()) return r.status();
    GiveBytes(*r, out, out_len);
    return Status::Ok();
  });
}

int32_t EnclaveDecrypt(tee_handle* h, const uint8_t* key_id, size_t key_id_len,
                       const uint8_t* sealed, size_t sealed_len, uint8_t** out, size_t* out_len) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    TEE_TRY(OutBuffer(out, out_len));
    if (key_id == nullptr) return Arg("key_id", "is NULL");
    TEE_TRY(CheckBytes("sealed", sealed, sealed_len));
    auto r = h->plugin->enclave().crypto().Decrypt(KeyIdView(key_id, key_id_len),
                                                   View(sealed, sealed_len));
    if (!r.ok()) return r.status();
    GiveBytes(*r, out, out_len);
    tenzro::tee::crypto::Wipe(*r);
    return Status::Ok();
  });
}

tenzro::tee::Result<tenzro::tee::enclave_crypto::RecipientKeySource*> Recipient(tee_handle* h) {
  auto* rk = h->plugin->enclave().recipient();
  if (rk == nullptr) {
    return Status(ErrorCode::kUnsupported, "[tee.enclave] key_source is not \"recipient\"");
  }
  return rk;
}

int32_t EnclaveRecipientPublicKey(tee_handle* h, uint8_t** out, size_t* out_len) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    TEE_TRY(OutBuffer(out, out_len));
    TEE_ASSIGN_OR_RETURN(auto* rk, Recipient(h));
    auto der = rk->PublicKeyDer();
    if (!der.ok()) return der.status();
    GiveBytes(*der, out, out_len);
    return Status::Ok();
  });
}

int32_t EnclaveDeliverRootKey(tee_handle* h, const uint8_t* cms_der, size_t cms_len) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    if (cms_der == nullptr || cms_len == 0) return Arg("cms_der", "is NULL or empty");
    TEE_ASSIGN_OR_RETURN(auto* rk, Recipient(h));
    return rk->Deliver(ByteView(cms_der, cms_len));
  });
}

int32_t MpcGenerateShares(tee_handle* h, uint16_t threshold, uint16_t total,
                          uint8_t* group_public_key) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    if (group_public_key == nullptr) return Arg("group_public_key", "is NULL");
    auto g = h->plugin->enclave().mpc().GenerateShares(threshold, total);
    if (!g.ok()) return g.status();
    std::memcpy(group_public_key, g->group_public_key.data(), 32);
    return Status::Ok();
  });
}

int32_t MpcCommit(tee_handle* h, const uint8_t* group_public_key, uint16_t participant,
                  uint8_t* commitment) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    if (group_public_key == nullptr) return Arg("group_public_key", "is NULL");
    if (commitment == nullptr) return Arg("commitment", "is NULL");
    auto c = h->plugin->enclave().mpc().Commit({Copy<32>(group_public_key), participant});
    if (!c.ok()) return c.status();
    const Bytes wire = tenzro::tee::mpc::frost::EncodeCommitment(*c);
    std::memcpy(commitment, wire.data(), wire.size());
    return Status::Ok();
  });
}

int32_t MpcSignWithShare(tee_handle* h, const uint8_t* group_public_key, uint16_t participant,
                         const uint8_t* message, size_t message_len, const uint8_t* commitment_list,
                         size_t commitment_list_len, uint8_t* signature_share) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    if (group_public_key == nullptr) return Arg("group_public_key", "is NULL");
    if (signature_share == nullptr) return Arg("signature_share", "is NULL");
    TEE_TRY(CheckBytes("message", message, message_len));
    if (commitment_list == nullptr) return Arg("commitment_list", "is NULL");
    auto list = tenzro::tee::mpc::frost::DecodeCommitmentList(
        ByteView(commitment_list, commitment_list_len));
    if (!list.ok()) return list.status();
    auto z = h->plugin->enclave().mpc().SignWithShare({Copy<32>(group_public_key), participant},
                                                      View(message, message_len), *list);
    if (!z.ok()) return z.status();
    const Bytes wire = tenzro::tee::mpc::frost::EncodeSignatureShare(*z);
    std::memcpy(signature_share, wire.data(), wire.size());
    return Status::Ok();
  });
}

int32_t MpcAggregate(tee_handle* h, const uint8_t* group_public_key, const uint8_t* message,
                     size_t message_len, const uint8_t* commitment_list, size_t commitment_list_len,
                     const uint8_t* shares, size_t shares_len, uint8_t* signature,
                     uint8_t* bad_participants, size_t* bad_count) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    if (bad_count != nullptr) *bad_count = 0;
    if (group_public_key == nullptr) return Arg("group_public_key", "is NULL");
    if (signature == nullptr) return Arg("signature", "is NULL");
    if (bad_count != nullptr && bad_participants == nullptr) {
      return Arg("bad_participants", "is NULL while bad_count is not");
    }
    TEE_TRY(CheckBytes("message", message, message_len));
    if (commitment_list == nullptr) return Arg("commitment_list", "is NULL");
    if (shares == nullptr) return Arg("shares", "is NULL");
    namespace frost = tenzro::tee::mpc::frost;
    auto list = frost::DecodeCommitmentList(ByteView(commitment_list, commitment_list_len));
    if (!list.ok()) return list.status();
    auto zs = frost::DecodeSignatureShares(ByteView(shares, shares_len));
    if (!zs.ok()) return zs.status();
    auto outcome = h->plugin->enclave().mpc().Aggregate(Copy<32>(group_public_key),
                                                        View(message, message_len), *list, *zs);
    if (!outcome.ok()) return outcome.status();
    if (!outcome->signature) {
      std::string names;
      for (size_t i = 0; i < outcome->bad_participants.size(); ++i) {
        const uint16_t id = outcome->bad_participants[i];
        if (bad_count != nullptr && i < 255) {
          bad_participants[i] = static_cast<uint8_t>(id);
          *bad_count = i + 1;
        }
        names += (i == 0 ? "" : ", ") + std::to_string(id);
      }
      return Status(ErrorCode::kAuthentication,
                    "signature share(s) failed verification: participant(s) " + names);
    }
    std::memcpy(signature, outcome->signature->data(), 64);
    return Status::Ok();
  });
}

Status SigningEvent(const uint8_t* group_public_key, const uint8_t* message, size_t message_len,
                    const uint8_t* event_id, size_t event_id_len, tenzro::tee::MpcSigningEvent& e) {
  if (group_public_key == nullptr) return Arg("group_public_key", "is NULL");
  TEE_TRY(CheckBytes("message", message, message_len));
  if (event_id == nullptr || event_id_len == 0 ||
      event_id_len > tenzro::tee::kMaxSigningEventIdBytes) {
    return Arg("event_id", "must be 1..255 bytes");
  }
  e.group_public_key = Copy<32>(group_public_key);
  e.message = View(message, message_len);
  e.event_id = ByteView(event_id, event_id_len);
  return Status::Ok();
}

int32_t MpcSigningReportData(const tee_handle* h, const uint8_t* group_public_key,
                             const uint8_t* message, size_t message_len, const uint8_t* event_id,
                             size_t event_id_len, uint8_t* report_data) {
  return Guard(h, [&]() -> Status {
    if (report_data == nullptr) return Arg("report_data", "is NULL");
    tenzro::tee::MpcSigningEvent e;
    TEE_TRY(SigningEvent(group_public_key, message, message_len, event_id, event_id_len, e));
    const auto b = tenzro::tee::ComputeMpcBinding(e);
    if (!b) return Arg("event_id", "must be 1..255 bytes");
    std::memcpy(report_data, b->data(), b->size());
    return Status::Ok();
  });
}

int32_t MpcCheckSigningBinding(const tee_handle* h, const uint8_t* report_data,
                               const uint8_t* group_public_key, const uint8_t* message,
                               size_t message_len, const uint8_t* event_id, size_t event_id_len) {
  return Guard(h, [&]() -> Status {
    if (report_data == nullptr) return Arg("report_data", "is NULL");
    tenzro::tee::MpcSigningEvent e;
    TEE_TRY(SigningEvent(group_public_key, message, message_len, event_id, event_id_len, e));
    if (!tenzro::tee::CheckMpcBinding(ByteView(report_data, 64), e)) {
      return Status(ErrorCode::kAuthentication, "report data does not commit to this event");
    }
    return Status::Ok();
  });
}

// ---- issue 15: model providers and hybrid ZK-in-TEE -------------------------

static_assert(sizeof(tee_provider_record) == 248, "tee_provider_record layout");
static_assert(sizeof(tee_epoch_providers) == 48, "tee_epoch_providers layout");
static_assert(TEE_MAX_MODEL_ID == tenzro::tee::registry::kMaxModelIdBytes);
static_assert(TEE_MAX_PROVIDER_EVIDENCE == tenzro::tee::registry::kMaxProviderEvidence);
static_assert(sizeof(tee_provider_record::model_id) > TEE_MAX_MODEL_ID);

Status ModelIdArg(const char* model_id, size_t len, std::string& out) {
  if (model_id == nullptr) return Arg("model_id", "is NULL");
  if (len == 0 || len > TEE_MAX_MODEL_ID) return Arg("model_id", "must be 1..128 bytes");
  out.assign(model_id, len);
  Status s = tenzro::tee::registry::ValidateModelId(out);
  if (!s.ok()) return Arg("model_id", "must be printable ASCII");
  return Status::Ok();
}

// Paging arguments of the get_*_by_* calls.
Status PageArgs(const uint8_t* start_after, size_t max, void* out, size_t* n,
                std::optional<Hash32>& cursor) {
  if (out == nullptr || n == nullptr) return Arg("out", "is NULL");
  *n = 0;
  if (max == 0 || max > TEE_MAX_PAGE) return Arg("max", "must be 1..TEE_MAX_PAGE");
  if (start_after != nullptr) cursor = Copy<32>(start_after);
  return Status::Ok();
}

void FillProvider(const tenzro::tee::registry::ProviderRecord& r, tee_provider_record& out) {
  std::memset(&out, 0, sizeof(out));
  std::memcpy(out.provider_id, r.id.data(), 32);
  std::memcpy(out.model_hash, r.model_hash.data(), 32);
  std::memcpy(out.model_id, r.model_id.data(),
              std::min(r.model_id.size(), size_t{TEE_MAX_MODEL_ID}));
  for (const auto& e : r.evidence) out.tee_types |= 1u << static_cast<uint32_t>(e.tee_type);
  out.status = static_cast<int32_t>(r.status);
  out.reason = static_cast<int32_t>(r.reason);
  out.valid_until = r.valid_until;
  out.registered_at = r.registered_at;
  out.registered_epoch = r.registered_epoch;
  out.verified_at_epoch = r.verified_at_epoch;
  out.evidence_count = static_cast<uint32_t>(r.evidence.size());
}

Status ReturnProviders(const std::vector<tenzro::tee::registry::ProviderRecord>& v,
                       tee_provider_record** out, size_t* n) {
  tee_provider_record* a = Alloc<tee_provider_record>(v.size());
  for (size_t i = 0; i < v.size(); ++i) FillProvider(v[i], a[i]);
  *out = a;
  *n = v.size();
  return Status::Ok();
}

int32_t RegisterProvider(tee_handle* h, const uint8_t* provider_id, const char* model_id,
                         size_t model_id_len, const uint8_t* model_hash,
                         const tee_evidence* evidence, size_t n_evidence, const uint8_t* challenge,
                         uint64_t registered_at, tee_register_result* out) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    if (provider_id == nullptr) return Arg("provider_id", "is NULL");
    if (model_hash == nullptr) return Arg("model_hash", "is NULL");
    if (challenge == nullptr) return Arg("challenge", "is NULL");
    tenzro::tee::consensus::ProviderRegistration reg;
    TEE_TRY(ModelIdArg(model_id, model_id_len, reg.model_id));
    if (evidence == nullptr || n_evidence == 0 || n_evidence > TEE_MAX_PROVIDER_EVIDENCE)
      return Arg("evidence", "must be 1..TEE_MAX_PROVIDER_EVIDENCE pieces");
    for (size_t i = 0; i < n_evidence; ++i) {
      const std::string which = "evidence[" + std::to_string(i) + "]";
      auto type = tenzro::tee::TeeTypeFromInt(evidence[i].tee_type);
      if (!type || *type == tenzro::tee::TeeType::None)
        return Arg(which.c_str(), "tee_type is not a TEE type");
      if (evidence[i].data == nullptr || evidence[i].len == 0)
        return Arg(which.c_str(), "is NULL or empty");
      reg.evidence.push_back({*type, ByteView(evidence[i].data, evidence[i].len)});
    }
    reg.id = Copy<32>(provider_id);
    reg.model_hash = Copy<32>(model_hash);
    reg.challenge = Copy<32>(challenge);
    reg.registered_at = registered_at;
    auto o = h->plugin->hooks().RegisterProvider(reg);
    if (!o.ok()) return o.status();
    tenzro::tee::consensus::RegisterOutcome result;  // evidence_hash stays zero
    result.attested = o->attested;
    result.reason = o->reason;
    result.valid_until = o->valid_until;
    FillResult(result, out);
    return Status::Ok();
  });
}

int32_t DeregisterProvider(tee_handle* h, const uint8_t* provider_id) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    if (provider_id == nullptr) return Arg("provider_id", "is NULL");
    return h->plugin->hooks().DeregisterProvider(Copy<32>(provider_id));
  });
}

int32_t GetProvidersByType(tee_handle* h, int32_t tee_type, const uint8_t* start_after, size_t max,
                           tee_provider_record** out, size_t* n) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    std::optional<Hash32> cursor;
    if (out != nullptr) *out = nullptr;
    TEE_TRY(PageArgs(start_after, max, out, n, cursor));
    auto type = tenzro::tee::TeeTypeFromInt(tee_type);
    if (!type || *type == tenzro::tee::TeeType::None) return Arg("tee_type", "is not a TEE type");
    return ReturnProviders(h->plugin->hooks().ProvidersByType(*type, cursor, max), out, n);
  });
}

int32_t GetProvidersByModel(tee_handle* h, const char* model_id, size_t model_id_len,
                            const uint8_t* start_after, size_t max, tee_provider_record** out,
                            size_t* n) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    std::optional<Hash32> cursor;
    if (out != nullptr) *out = nullptr;
    TEE_TRY(PageArgs(start_after, max, out, n, cursor));
    std::string model;
    TEE_TRY(ModelIdArg(model_id, model_id_len, model));
    return ReturnProviders(h->plugin->hooks().ProvidersByModel(model, cursor, max), out, n);
  });
}

int32_t GetValidatorsByType(tee_handle* h, int32_t tee_type, const uint8_t* start_after, size_t max,
                            tee_record** out, size_t* n) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    std::optional<Hash32> cursor;
    if (out != nullptr) *out = nullptr;
    TEE_TRY(PageArgs(start_after, max, out, n, cursor));
    auto type = tenzro::tee::TeeTypeFromInt(tee_type);
    if (!type) return Arg("tee_type", "is not a TEE_TYPE_* value");
    auto v = h->plugin->hooks().ValidatorsByType(*type, cursor, max);
    if (!v.ok()) return v.status();
    tee_record* a = Alloc<tee_record>(v->size());
    for (size_t i = 0; i < v->size(); ++i) FillRecord((*v)[i], a[i]);
    *out = a;
    *n = v->size();
    return Status::Ok();
  });
}

int32_t VerifyProviderAttestation(tee_handle* h, const uint8_t* provider_id, uint64_t now,
                                  char** json_out, size_t* json_len) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    if (json_out == nullptr) return Arg("json_out", "is NULL");
    *json_out = nullptr;
    if (provider_id == nullptr) return Arg("provider_id", "is NULL");
    auto c = h->plugin->hooks().CheckProvider(Copy<32>(provider_id), now);
    if (!c.ok()) return c.status();
    *json_out = DupString(tenzro::tee::plugin::ProviderCheckToJson(*c).dump(), json_len);
    return Status::Ok();
  });
}

int32_t OnEpochV2(tee_handle* h, uint64_t epoch, uint64_t epoch_time, const uint8_t* seed,
                  tee_epoch_report* out, tee_epoch_providers* providers) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    if (seed == nullptr) return Arg("seed", "is NULL");
    if (providers != nullptr && providers->size < 2 * sizeof(uint32_t))
      return Arg("providers", "size is smaller than its header");
    auto r = h->plugin->hooks().OnEpoch(epoch, epoch_time, Copy<32>(seed));
    if (!r.ok()) return r.status();
    FillReport(*r, out);
    if (providers != nullptr) {
      tee_epoch_providers p;
      std::memset(&p, 0, sizeof(p));
      p.size = providers->size;
      p.providers = r->providers;
      p.attested = r->providers_attested;
      p.reevaluated = r->providers_reevaluated;
      p.demoted = r->providers_demoted;
      p.expiring = r->providers_expiring;
      // Never past the size the host declared.
      std::memcpy(providers, &p, std::min<size_t>(providers->size, sizeof(p)));
    }
    return Status::Ok();
  });
}

int32_t VerifyHybrid(tee_handle* h, int32_t tee_type, const uint8_t* evidence, size_t evidence_len,
                     const tee_blob* collateral, size_t n_collateral, uint64_t now,
                     const uint8_t* proof, size_t proof_len, const uint8_t* public_inputs,
                     size_t public_inputs_len, const uint8_t* vk_id, const uint8_t* challenge,
                     char** json_out, size_t* json_len) {
  return Guard(h, [&]() -> Status {
    TEE_TRY(CheckHandle(h));
    if (json_out == nullptr) return Arg("json_out", "is NULL");
    *json_out = nullptr;
    if (proof == nullptr || proof_len == 0) return Arg("proof", "is NULL or empty");
    if (public_inputs == nullptr && public_inputs_len != 0)
      return Arg("public_inputs", "is NULL with a non-zero length");
    if (proof_len > TEE_MAX_ZK_BYTES || public_inputs_len > TEE_MAX_ZK_BYTES)
      return Status(ErrorCode::kTooLarge, "proof or public inputs over TEE_MAX_ZK_BYTES");
    if (vk_id == nullptr) return Arg("vk_id", "is NULL");
    if (challenge == nullptr) return Arg("challenge", "is NULL");
    tenzro::tee::HybridRequest req;
    TEE_TRY(
        ToStandalone(h, tee_type, evidence, evidence_len, collateral, n_collateral, now, req.tee));
    req.proof = ByteView(proof, proof_len);
    req.public_inputs =
        public_inputs_len == 0 ? ByteView() : ByteView(public_inputs, public_inputs_len);
    req.vk_id = Copy<32>(vk_id);
    req.challenge = Copy<32>(challenge);
    auto v = h->plugin->VerifyHybrid(std::move(req));
    if (!v.ok()) return v.status();
    *json_out = DupString(tenzro::tee::HybridToJson(*v).dump(), json_len);
    return Status::Ok();
  });
}

constexpr tee_api kApi = {
    TEE_ABI_VERSION,
    static_cast<uint32_t>(sizeof(tee_api)),
    &Open,
    &Close,
    &RegisterValidator,
    &RegisterBatch,
    &Deregister,
    &SubmitCollateral,
    &GetRecord,
    &OnEpoch,
    &GetWeights,
    &Leader,
    &Schedule,
    &Verify,
    &SimulateEvidence,
    &Free,
    &LastError,
    &StatusJson,
    // issue 12
    &Detect,
    &GenerateEvidence,
    // issue 14
    &EnclaveEncrypt,
    &EnclaveDecrypt,
    &EnclaveRecipientPublicKey,
    &EnclaveDeliverRootKey,
    &MpcGenerateShares,
    &MpcCommit,
    &MpcSignWithShare,
    &MpcAggregate,
    &MpcSigningReportData,
    &MpcCheckSigningBinding,
    // issue 15: model providers and hybrid ZK-in-TEE
    &RegisterProvider,
    &DeregisterProvider,
    &GetProvidersByType,
    &GetProvidersByModel,
    &GetValidatorsByType,
    &VerifyProviderAttestation,
    &OnEpochV2,
    &VerifyHybrid,
};

}  // namespace

extern "C" {

__attribute__((visibility("default"))) int32_t tee_negotiate(uint32_t host_abi_version,
                                                             const tee_api** out) {
  if (out == nullptr) return TEE_ERR_INVALID_ARGUMENT;
  *out = nullptr;
  // Fields are only appended: a host built for an older version reads a
  // prefix of this table, a newer one reads abi_version and size first.
  if (host_abi_version == 0) return TEE_ERR_ABI_VERSION;
  *out = &kApi;
  return TEE_OK;
}

__attribute__((visibility("default"))) const char* tee_abi_hash(void) {
  return tenzro::tee::plugin::kAbiHash;
}

__attribute__((visibility("default"))) const char* tee_status_str(int32_t status) {
  switch (status) {
    case TEE_OK:
      return "TEE_OK";
    case TEE_ERR_INVALID_ARGUMENT:
      return "TEE_ERR_INVALID_ARGUMENT";
    case TEE_ERR_CONFIG:
      return "TEE_ERR_CONFIG";
    case TEE_ERR_STORAGE:
      return "TEE_ERR_STORAGE";
    case TEE_ERR_NOT_FOUND:
      return "TEE_ERR_NOT_FOUND";
    case TEE_ERR_EPOCH_ORDER:
      return "TEE_ERR_EPOCH_ORDER";
    case TEE_ERR_TOO_LARGE:
      return "TEE_ERR_TOO_LARGE";
    case TEE_ERR_SIMULATION_DISABLED:
      return "TEE_ERR_SIMULATION_DISABLED";
    case TEE_ERR_UNSUPPORTED:
      return "TEE_ERR_UNSUPPORTED";
    case TEE_ERR_OVERFLOW:
      return "TEE_ERR_OVERFLOW";
    case TEE_ERR_NO_SNAPSHOT:
      return "TEE_ERR_NO_SNAPSHOT";
    case TEE_ERR_EMPTY:
      return "TEE_ERR_EMPTY";
    case TEE_ERR_PARAMS_MISMATCH:
      return "TEE_ERR_PARAMS_MISMATCH";
    case TEE_ERR_ABI_VERSION:
      return "TEE_ERR_ABI_VERSION";
    case TEE_ERR_COLLATERAL:
      return "TEE_ERR_COLLATERAL";
    case TEE_ERR_INTERNAL:
      return "TEE_ERR_INTERNAL";
    case TEE_ERR_AUTHENTICATION:
      return "TEE_ERR_AUTHENTICATION";
    default:
      return "TEE_ERR_UNKNOWN";
  }
}

}  // extern "C"
