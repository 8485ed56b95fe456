#include "plugin/config.h"
#include "plugin/config_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "fetch/url.h"

namespace tenzro::tee::plugin {
namespace cfg {

Status Bad(std::string_view origin, const std::string& key, const std::string& what) {
  return Error(ErrorCode::kConfig, std::string(origin) + ": " + key + ": " + what);
}

Status CheckKeys(const toml::table& t, std::string_view origin, const std::string& prefix,
                 const std::set<std::string>& allowed) {
  for (const auto& [k, v] : t) {
    std::string key(k.str());
    if (allowed.count(key) == 0) return Bad(origin, prefix + key, "unknown key");
  }
  return Status::Ok();
}

// Reads an unsigned integer in [min, max]. Accepts TOML integers and, for
// values beyond TOML's 64-bit signed range, decimal or 0x strings.
Status ReadU64(const toml::table& t, std::string_view origin, const std::string& prefix,
               const char* key, uint64_t min, uint64_t max, uint64_t& out) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return Status::Ok();
  uint64_t v = 0;
  if (auto i = n->as_integer()) {
    if (i->get() < 0) return Bad(origin, prefix + key, "must not be negative");
    v = static_cast<uint64_t>(i->get());
  } else if (auto s = n->as_string()) {
    const std::string& text = s->get();
    try {
      size_t used = 0;
      bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
      if (text.empty() || text[0] == '-' || text[0] == '+') throw std::invalid_argument(text);
      v = std::stoull(hex ? text.substr(2) : text, &used, hex ? 16 : 10);
      if (used != (hex ? text.size() - 2 : text.size())) throw std::invalid_argument(text);
    } catch (const std::exception&) {
      return Bad(origin, prefix + key, "not an unsigned integer: \"" + text + "\"");
    }
  } else {
    return Bad(origin, prefix + key, "must be an integer");
  }
  if (v < min || v > max) {
    return Bad(origin, prefix + key,
               "must be in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " +
                   std::to_string(v));
  }
  out = v;
  return Status::Ok();
}

Status ReadBool(const toml::table& t, std::string_view origin, const std::string& prefix,
                const char* key, bool& out) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return Status::Ok();
  auto b = n->as_boolean();
  if (!b) return Bad(origin, prefix + key, "must be true or false");
  out = b->get();
  return Status::Ok();
}

Status ReadString(const toml::table& t, std::string_view origin, const std::string& prefix,
                  const char* key, std::string& out) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return Status::Ok();
  auto s = n->as_string();
  if (!s) return Bad(origin, prefix + key, "must be a string");
  out = s->get();
  return Status::Ok();
}

const toml::table* SubTable(const toml::table& t, const char* key, std::string_view origin,
                            const std::string& name, Status& status) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return nullptr;
  if (!n->is_table()) {
    status = Bad(origin, name, "must be a table");
    return nullptr;
  }
  return n->as_table();
}

}  // namespace cfg

namespace {

using namespace cfg;

Status ParseSimulated(const toml::table& t, std::string_view origin, ChainParams& c) {
  const std::string prefix = "tee.consensus.simulated.";
  TEE_TRY(CheckKeys(t, origin, prefix, {"measurements"}));
  if (const toml::node* n = t.get("measurements")) {
    auto arr = n->as_array();
    if (!arr) return Bad(origin, prefix + "measurements", "must be an array of hex strings");
    for (size_t i = 0; i < arr->size(); ++i) {
      auto s = arr->get(i)->as_string();
      auto m = s ? FromHexFixed<48>(s->get()) : std::nullopt;
      if (!m) {
        return Bad(origin, prefix + "measurements[" + std::to_string(i) + "]",
                   "must be 96 hex digits (48 bytes)");
      }
      c.simulated_measurements.push_back(*m);
    }
    std::sort(c.simulated_measurements.begin(), c.simulated_measurements.end());
    c.simulated_measurements.erase(
        std::unique(c.simulated_measurements.begin(), c.simulated_measurements.end()),
        c.simulated_measurements.end());
  }
  return Status::Ok();
}

// [tee.consensus] vendors = ["intel-tdx", "amd-sev-snp", "aws-nitro", "nvidia-gpu"]
// (the seed's feature-flag names; absent: all four).
Status ParseVendors(const toml::table& t, std::string_view origin, const std::string& prefix,
                    VendorSet& out) {
  const toml::node* n = t.get("vendors");
  if (n == nullptr) return Status::Ok();
  const auto* arr = n->as_array();
  if (arr == nullptr) {
    return Bad(origin, prefix + "vendors",
               "must be an array of vendor names (" + VendorSetNames(kAllVendors, ", ") + ")");
  }
  VendorSet set = 0;
  for (size_t i = 0; i < arr->size(); ++i) {
    const auto* s = arr->get(i)->as_string();
    const auto v = s != nullptr ? VendorFromName(s->get()) : std::nullopt;
    if (!v) {
      return Bad(origin, prefix + "vendors[" + std::to_string(i) + "]",
                 "must be one of " + VendorSetNames(kAllVendors, ", "));
    }
    if ((set & VendorBit(*v)) != 0) {
      return Bad(origin, prefix + "vendors[" + std::to_string(i) + "]",
                 std::string(VendorName(*v)) + " is listed twice");
    }
    set = static_cast<VendorSet>(set | VendorBit(*v));
  }
  out = set;
  return Status::Ok();
}

Status ParseConsensus(const toml::table& t, std::string_view origin, ChainParams& c) {
  const std::string prefix = "tee.consensus.";
  TEE_TRY(CheckKeys(t, origin, prefix,
                    {"multiplier", "max_age_secs", "expiry_window_secs", "max_evidence_bytes",
                     "max_collateral_bytes", "simulation", "collateral_admission", "simulated",
                     "vendors", "tdx", "snp", "nitro", "nvidia"}));
  TEE_TRY(ReadU64(t, origin, prefix, "multiplier", 1, 1000, c.multiplier));
  TEE_TRY(ReadU64(t, origin, prefix, "max_age_secs", 1, 366ull * 86400, c.max_age_secs));
  TEE_TRY(
      ReadU64(t, origin, prefix, "expiry_window_secs", 0, 366ull * 86400, c.expiry_window_secs));
  TEE_TRY(ReadU64(t, origin, prefix, "max_evidence_bytes", 256, 64u << 20, c.max_evidence_bytes));
  TEE_TRY(
      ReadU64(t, origin, prefix, "max_collateral_bytes", 1024, 256u << 20, c.max_collateral_bytes));
  TEE_TRY(ReadBool(t, origin, prefix, "simulation", c.simulation));
  std::string admission = "consensus";
  TEE_TRY(ReadString(t, origin, prefix, "collateral_admission", admission));
  if (admission == "consensus") {
    c.collateral_admission = CollateralAdmission::kConsensus;
  } else if (admission == "local") {
    c.collateral_admission = CollateralAdmission::kLocal;
  } else {
    return Bad(origin, prefix + "collateral_admission", "must be \"consensus\" or \"local\"");
  }
  TEE_TRY(ParseVendors(t, origin, prefix, c.vendors));
  Status st;
  if (const toml::table* sim = SubTable(t, "simulated", origin, prefix + "simulated", st)) {
    TEE_TRY(ParseSimulated(*sim, origin, c));
  }
  TEE_TRY(st);
  // A vendor's policy table: only for a vendor the chain lists and this build
  // holds (a vendor built out has no code to parse it with; the parse calls
  // sit in discarded statements, so it is not linked).
  const auto vendor_table = [&](Vendor v, const char* key, const auto& parse) -> Status {
    Status sub_st;
    const toml::table* sub = SubTable(t, key, origin, prefix + key, sub_st);
    TEE_TRY(sub_st);
    if (sub == nullptr) return Status::Ok();
    if ((c.vendors & VendorBit(v)) == 0) {
      return Bad(origin, prefix + key,
                 "is the policy of " + std::string(VendorName(v)) + ", which " + prefix +
                     "vendors does not list");
    }
    if (!VendorBuilt(v)) {
      return Bad(origin, prefix + key, VendorBuiltOutMessage(v));
    }
    return parse(*sub);
  };
  TEE_TRY(vendor_table(Vendor::kIntelTdx, "tdx", [&](const toml::table& sub) {
    if constexpr (VendorBuilt(Vendor::kIntelTdx)) return ParseTdxPolicy(sub, origin, c.tdx);
    return Status::Ok();
  }));
  TEE_TRY(vendor_table(Vendor::kAmdSevSnp, "snp", [&](const toml::table& sub) {
    if constexpr (VendorBuilt(Vendor::kAmdSevSnp)) return ParseSnpPolicy(sub, origin, c.snp);
    return Status::Ok();
  }));
  TEE_TRY(vendor_table(Vendor::kAwsNitro, "nitro", [&](const toml::table& sub) {
    if constexpr (VendorBuilt(Vendor::kAwsNitro)) return ParseNitroPolicy(sub, origin, c.nitro);
    return Status::Ok();
  }));
  return vendor_table(Vendor::kNvidiaGpu, "nvidia", [&](const toml::table& sub) {
    if constexpr (VendorBuilt(Vendor::kNvidiaGpu)) return ParseNvidiaPolicy(sub, origin, c.nvidia);
    return Status::Ok();
  });
}

Status ParseTee(const toml::table& t, std::string_view origin, Config& c) {
  const std::string prefix = "tee.";
  // Chain parameters that lived under [tee] before params v2: an error that
  // names the new key, so a node cannot silently run on a default.
  for (const char* moved : {"simulation", "collateral_admission", "max_evidence_bytes"}) {
    if (t.get(moved) != nullptr) {
      return Bad(origin, prefix + moved,
                 std::string("is a chain parameter: move it to [tee.consensus] (tee.consensus.") +
                     moved + ")");
    }
  }
  TEE_TRY(
      CheckKeys(t, origin, prefix,
                {"db_path", "rocksdb_memory_mb", "log_level", "snapshot_retention",
                 "migrate_params", "verify_max_collateral_blobs", "verify_max_collateral_bytes",
                 "consensus", "pcs_url", "kds_url", "nvidia_rim_url", "nvidia_ocsp_url",
                 "fetch_ca_bundle", "fetch_timeout_ms", "fetch_interval_secs", "enclave", "http"}));
  TEE_TRY(ReadString(t, origin, prefix, "db_path", c.db_path));
  TEE_TRY(ReadU64(t, origin, prefix, "rocksdb_memory_mb", 8, 65536, c.rocksdb_memory_mb));
  TEE_TRY(ReadString(t, origin, prefix, "log_level", c.log_level));
  static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error", "off"};
  if (kLevels.count(c.log_level) == 0) {
    return Bad(origin, prefix + "log_level", "must be one of trace, debug, info, warn, error, off");
  }
  TEE_TRY(ReadU64(t, origin, prefix, "snapshot_retention", 1, 1u << 20, c.snapshot_retention));
  TEE_TRY(ReadBool(t, origin, prefix, "migrate_params", c.migrate_params));
  TEE_TRY(ReadU64(t, origin, prefix, "verify_max_collateral_blobs", 1, 1u << 16,
                  c.verify_max_collateral_blobs));
  TEE_TRY(ReadU64(t, origin, prefix, "verify_max_collateral_bytes", 1024, 1u << 30,
                  c.verify_max_collateral_bytes));
  // Fetchers [fetch branch]
  for (auto [key, out] : {std::pair{"pcs_url", &c.pcs_url}, std::pair{"kds_url", &c.kds_url},
                          std::pair{"nvidia_rim_url", &c.nvidia_rim_url},
                          std::pair{"nvidia_ocsp_url", &c.nvidia_ocsp_url}}) {
    TEE_TRY(ReadString(t, origin, prefix, key, *out));
    if (!out->empty()) {
      if (auto u = fetch::ParseBaseUrl(*out); !u.ok())
        return Bad(origin, prefix + key, u.status().message());
    }
  }
  TEE_TRY(ReadString(t, origin, prefix, "fetch_ca_bundle", c.fetch_ca_bundle));
  TEE_TRY(ReadU64(t, origin, prefix, "fetch_timeout_ms", 100, 300000, c.fetch_timeout_ms));
  TEE_TRY(
      ReadU64(t, origin, prefix, "fetch_interval_secs", 60, 7ull * 86400, c.fetch_interval_secs));
  Status st;
  if (const toml::table* h = SubTable(t, "http", origin, prefix + "http", st)) {
    TEE_TRY(ParseHttp(*h, origin, c.http));
  }
  TEE_TRY(st);
  if (const toml::table* cons = SubTable(t, "consensus", origin, prefix + "consensus", st)) {
    c.consensus_defaults = false;
    TEE_TRY(ParseConsensus(*cons, origin, c));
  }
  TEE_TRY(st);
  // Issue 14: after [tee.consensus], whose simulation switch it needs.
  if (const toml::table* enc = SubTable(t, "enclave", origin, prefix + "enclave", st)) {
    TEE_TRY(ParseEnclave(*enc, origin, c));
  }
  return st;
}

}  // namespace

Result<Config> ParseConfig(std::string_view toml_text, std::string_view origin) {
  toml::table root;
  try {
    root = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << origin << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
        << e.description();
    return Error(ErrorCode::kConfig, msg.str());
  } catch (const std::exception& e) {
    return Error(ErrorCode::kConfig, std::string(origin) + ": " + e.what());
  }
  TEE_TRY(CheckKeys(root, origin, "", {"tee"}));
  Config c;
  Status st;
  const toml::table* tee = SubTable(root, "tee", origin, "tee", st);
  TEE_TRY(st);
  if (tee == nullptr) return Bad(origin, "tee", "missing [tee] table");
  TEE_TRY(ParseTee(*tee, origin, c));
  return c;
}

Result<Config> LoadConfig(const std::string& path) {
  // Only a regular file, opened without blocking (a FIFO would wait for a
  // writer) and read up to one byte past the cap: /dev/zero, /dev/urandom,
  // a FIFO or a huge file is a config error, never a hang or an OOM kill.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    return Error(ErrorCode::kConfig,
                 "cannot read config file " + path + ": " + std::strerror(errno));
  }
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return Error(ErrorCode::kConfig, "config " + path + " is not a regular file");
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxConfigBytes) {
    return Error(ErrorCode::kConfig, "config " + path + " is larger than " +
                                         std::to_string(kMaxConfigBytes) + " bytes");
  }
  std::string text;
  char buf[16384];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return Error(ErrorCode::kConfig,
                   "cannot read config file " + path + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    // The file may grow after fstat: the cap holds for what is read.
    if (text.size() + static_cast<size_t>(n) > kMaxConfigBytes) {
      return Error(ErrorCode::kConfig, "config " + path + " is larger than " +
                                           std::to_string(kMaxConfigBytes) + " bytes");
    }
    text.append(buf, static_cast<size_t>(n));
  }
  return ParseConfig(text, path);
}

}  // namespace tenzro::tee::plugin
