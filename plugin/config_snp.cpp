// [tee.consensus.snp]: the SNP verifier's chain policy (attestation/snp/policy.h).
//
//   ark_milan_sha256 / ark_genoa_sha256 / ark_turin_sha256   64 hex digits
//   allow_debug, allow_migrate_ma, allow_masked_chip_id, require_crls   bools
//   max_vmpl                                                 0..3
//   min_tcb_milan / min_tcb_genoa / min_tcb_turin            a TCB_VERSION as 16 hex
//       digits (the 8 report bytes, decoded with that product's layout), or a
//       table { fmc, bl, tee, snp, ucode } (fmc: Turin only)
//   min_committed_fw                                         "major.minor.build"
//   measurements, id_key_digests, author_key_digests         arrays of 96 hex digits
//   host_data                                                array of 64 hex digits
#include <algorithm>

#include "attestation/snp/report.h"
#include "plugin/config_util.h"

namespace tenzro::tee::plugin {
namespace {

using cfg::Bad;
const std::string kPrefix = "tee.consensus.snp.";

Status ReadPin(const toml::table& t, std::string_view origin, const char* key, Hash32& out) {
  std::string text;
  TEE_TRY(cfg::ReadString(t, origin, kPrefix, key, text));
  if (t.get(key) == nullptr) return Status::Ok();
  auto h = FromHexFixed<32>(text);
  if (!h) return Bad(origin, kPrefix + key, "must be 64 hex digits (SHA-256 of the ARK's DER)");
  out = *h;
  return Status::Ok();
}

template <size_t N>
Status ReadHexList(const toml::table& t, std::string_view origin, const char* key,
                   std::vector<std::array<uint8_t, N>>& out) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return Status::Ok();
  auto arr = n->as_array();
  if (!arr) return Bad(origin, kPrefix + key, "must be an array of hex strings");
  for (size_t i = 0; i < arr->size(); ++i) {
    auto s = arr->get(i)->as_string();
    auto v = s ? FromHexFixed<N>(s->get()) : std::nullopt;
    if (!v) {
      return Bad(
          origin, kPrefix + key + "[" + std::to_string(i) + "]",
          "must be " + std::to_string(2 * N) + " hex digits (" + std::to_string(N) + " bytes)");
    }
    out.push_back(*v);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return Status::Ok();
}

Status ReadMinTcb(const toml::table& t, std::string_view origin, const char* key,
                  snp::Product product, std::optional<snp::MinTcb>& out) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return Status::Ok();
  const std::string name = kPrefix + key;
  snp::MinTcb m;
  if (auto s = n->as_string()) {
    auto raw = FromHexFixed<8>(s->get());
    if (!raw) return Bad(origin, name, "must be 16 hex digits (a TCB_VERSION) or a table of SPLs");
    if (!snp::TcbReservedZero(*raw, product)) {
      return Bad(origin, name, "has non-zero reserved bytes for this product's TCB_VERSION layout");
    }
    const snp::TcbParts p = snp::DecodeTcb(*raw, product);
    m = {p.fmc, p.boot_loader, p.tee, p.snp, p.microcode};
  } else if (auto tab = n->as_table()) {
    const bool turin = product == snp::Product::kTurin;
    std::set<std::string> keys = {"bl", "tee", "snp", "ucode"};
    if (turin) keys.insert("fmc");
    TEE_TRY(cfg::CheckKeys(*tab, origin, name + ".", keys));
    uint64_t fmc = 0, bl = 0, tee = 0, snp_spl = 0, ucode = 0;
    TEE_TRY(cfg::ReadU64(*tab, origin, name + ".", "fmc", 0, 255, fmc));
    TEE_TRY(cfg::ReadU64(*tab, origin, name + ".", "bl", 0, 255, bl));
    TEE_TRY(cfg::ReadU64(*tab, origin, name + ".", "tee", 0, 255, tee));
    TEE_TRY(cfg::ReadU64(*tab, origin, name + ".", "snp", 0, 255, snp_spl));
    TEE_TRY(cfg::ReadU64(*tab, origin, name + ".", "ucode", 0, 255, ucode));
    m = {static_cast<uint8_t>(fmc), static_cast<uint8_t>(bl), static_cast<uint8_t>(tee),
         static_cast<uint8_t>(snp_spl), static_cast<uint8_t>(ucode)};
  } else {
    return Bad(origin, name, "must be 16 hex digits (a TCB_VERSION) or a table of SPLs");
  }
  out = m;
  return Status::Ok();
}

std::string CanonicalTcb(const std::optional<snp::MinTcb>& m, bool turin) {
  if (!m) return "none";
  std::string s = turin ? "fmc:" + std::to_string(m->fmc) + "," : "";
  return s + "bl:" + std::to_string(m->boot_loader) + ",tee:" + std::to_string(m->tee) +
         ",snp:" + std::to_string(m->snp) + ",ucode:" + std::to_string(m->microcode);
}

template <size_t N>
std::string CanonicalList(const std::vector<std::array<uint8_t, N>>& list) {
  std::string s;
  for (const auto& v : list) {  // sorted, unique
    if (!s.empty()) s += ",";
    s += ToHex(AsView(v));
  }
  return s;
}

}  // namespace

Status ParseSnpPolicy(const toml::table& t, std::string_view origin, snp::Policy& out) {
  TEE_TRY(cfg::CheckKeys(
      t, origin, kPrefix,
      {"ark_milan_sha256", "ark_genoa_sha256", "ark_turin_sha256", "allow_debug",
       "allow_migrate_ma", "max_vmpl", "min_tcb_milan", "min_tcb_genoa", "min_tcb_turin",
       "min_committed_fw", "measurements", "host_data", "id_key_digests", "author_key_digests",
       "allow_masked_chip_id", "require_crls"}));
  snp::Policy p;
  TEE_TRY(ReadPin(t, origin, "ark_milan_sha256", p.ark_milan_sha256));
  TEE_TRY(ReadPin(t, origin, "ark_genoa_sha256", p.ark_genoa_sha256));
  TEE_TRY(ReadPin(t, origin, "ark_turin_sha256", p.ark_turin_sha256));
  TEE_TRY(cfg::ReadBool(t, origin, kPrefix, "allow_debug", p.allow_debug));
  TEE_TRY(cfg::ReadBool(t, origin, kPrefix, "allow_migrate_ma", p.allow_migrate_ma));
  uint64_t vmpl = p.max_vmpl;
  TEE_TRY(cfg::ReadU64(t, origin, kPrefix, "max_vmpl", 0, 3, vmpl));
  p.max_vmpl = static_cast<uint32_t>(vmpl);
  TEE_TRY(ReadMinTcb(t, origin, "min_tcb_milan", snp::Product::kMilan, p.min_tcb_milan));
  TEE_TRY(ReadMinTcb(t, origin, "min_tcb_genoa", snp::Product::kGenoa, p.min_tcb_genoa));
  TEE_TRY(ReadMinTcb(t, origin, "min_tcb_turin", snp::Product::kTurin, p.min_tcb_turin));
  if (t.get("min_committed_fw") != nullptr) {
    std::string text;
    TEE_TRY(cfg::ReadString(t, origin, kPrefix, "min_committed_fw", text));
    auto fw = snp::ParseFirmwareVersion(text);
    if (!fw)
      return Bad(origin, kPrefix + "min_committed_fw",
                 "must be \"major.minor.build\" (each 0..255)");
    p.min_committed_fw = snp::MinFirmware{fw->major, fw->minor, fw->build};
  }
  TEE_TRY(ReadHexList(t, origin, "measurements", p.measurements));
  TEE_TRY(ReadHexList(t, origin, "host_data", p.host_data));
  TEE_TRY(ReadHexList(t, origin, "id_key_digests", p.id_key_digests));
  TEE_TRY(ReadHexList(t, origin, "author_key_digests", p.author_key_digests));
  TEE_TRY(cfg::ReadBool(t, origin, kPrefix, "allow_masked_chip_id", p.allow_masked_chip_id));
  TEE_TRY(cfg::ReadBool(t, origin, kPrefix, "require_crls", p.require_crls));
  out = std::move(p);
  return Status::Ok();
}

void CanonicalSnpPolicy(const snp::Policy& p, std::map<std::string, std::string>& kv) {
  auto b = [](bool v) { return std::string(v ? "true" : "false"); };
  kv["snp.ark_milan_sha256"] = ToHex(AsView(p.ark_milan_sha256));
  kv["snp.ark_genoa_sha256"] = ToHex(AsView(p.ark_genoa_sha256));
  kv["snp.ark_turin_sha256"] = ToHex(AsView(p.ark_turin_sha256));
  kv["snp.allow_debug"] = b(p.allow_debug);
  kv["snp.allow_migrate_ma"] = b(p.allow_migrate_ma);
  kv["snp.max_vmpl"] = std::to_string(p.max_vmpl);
  kv["snp.min_tcb_milan"] = CanonicalTcb(p.min_tcb_milan, false);
  kv["snp.min_tcb_genoa"] = CanonicalTcb(p.min_tcb_genoa, false);
  kv["snp.min_tcb_turin"] = CanonicalTcb(p.min_tcb_turin, true);
  kv["snp.min_committed_fw"] = p.min_committed_fw
                                   ? std::to_string(p.min_committed_fw->major) + "." +
                                         std::to_string(p.min_committed_fw->minor) + "." +
                                         std::to_string(p.min_committed_fw->build)
                                   : "none";
  kv["snp.measurements"] = CanonicalList(p.measurements);
  kv["snp.host_data"] = CanonicalList(p.host_data);
  kv["snp.id_key_digests"] = CanonicalList(p.id_key_digests);
  kv["snp.author_key_digests"] = CanonicalList(p.author_key_digests);
  kv["snp.allow_masked_chip_id"] = b(p.allow_masked_chip_id);
  kv["snp.require_crls"] = b(p.require_crls);
}

}  // namespace tenzro::tee::plugin
