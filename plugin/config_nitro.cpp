// [tee.consensus.nitro]: the Nitro verifier's chain policy (attestation/nitro/policy.h).
//
//   root_ca_sha256        64 hex digits (SHA-256 of the root's DER)
//   allow_debug           bool
//   check_chain_at        "now" | "document"
//   max_age_secs          1..366 days in seconds (absent: [tee.consensus] max_age_secs)
//   max_clock_skew_secs   0..86400
//   [[tee.consensus.nitro.images]]   pcr0, pcr1, pcr2 (required), pcr8, pcr16 (optional):
//                                    hex of 32, 48 or 64 bytes. PCR3/PCR4 are refused.
#include <algorithm>

#include "attestation/nitro/policy.h"
#include "plugin/config_util.h"

namespace tenzro::tee::plugin {
namespace {

using cfg::Bad;
const std::string kPrefix = "tee.consensus.nitro.";

Status ReadImage(const toml::table& t, std::string_view origin, const std::string& name,
                 nitro::Image& out) {
  TEE_TRY(cfg::CheckKeys(t, origin, name + ".", {"pcr0", "pcr1", "pcr2", "pcr8", "pcr16"}));
  for (uint32_t index : nitro::kPinnablePcrs) {
    const std::string key = "pcr" + std::to_string(index);
    const toml::node* n = t.get(key);
    if (n == nullptr) {
      if (index <= 2) return Bad(origin, name + "." + key, "is required (PCR0, PCR1, PCR2)");
      continue;
    }
    auto s = n->as_string();
    auto v = s ? FromHex(s->get()) : std::nullopt;
    if (!v || (v->size() != 32 && v->size() != 48 && v->size() != 64))
      return Bad(origin, name + "." + key, "must be hex of 32, 48 or 64 bytes");
    out.pcrs[index] = std::move(*v);
  }
  return Status::Ok();
}

Status ReadImages(const toml::table& t, std::string_view origin, std::vector<nitro::Image>& out) {
  const toml::node* n = t.get("images");
  if (n == nullptr) return Status::Ok();
  const toml::array* arr = n->as_array();
  if (arr == nullptr) return Bad(origin, kPrefix + "images", "must be an array of tables");
  for (size_t i = 0; i < arr->size(); ++i) {
    const std::string name = kPrefix + "images[" + std::to_string(i) + "]";
    const toml::table* img = arr->get(i)->as_table();
    if (img == nullptr) return Bad(origin, name, "must be a table of PCRs");
    nitro::Image image;
    TEE_TRY(ReadImage(*img, origin, name, image));
    out.push_back(std::move(image));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return Status::Ok();
}

}  // namespace

Status ParseNitroPolicy(const toml::table& t, std::string_view origin, nitro::Policy& out) {
  TEE_TRY(cfg::CheckKeys(t, origin, kPrefix,
                         {"root_ca_sha256", "images", "allow_debug", "check_chain_at",
                          "max_age_secs", "max_clock_skew_secs"}));
  nitro::Policy p;
  if (t.get("root_ca_sha256") != nullptr) {
    std::string text;
    TEE_TRY(cfg::ReadString(t, origin, kPrefix, "root_ca_sha256", text));
    auto h = FromHexFixed<32>(text);
    if (!h)
      return Bad(origin, kPrefix + "root_ca_sha256",
                 "must be 64 hex digits (SHA-256 of the root's DER)");
    p.root_ca_sha256 = *h;
  }
  TEE_TRY(ReadImages(t, origin, p.images));
  TEE_TRY(cfg::ReadBool(t, origin, kPrefix, "allow_debug", p.allow_debug));
  std::string at = "now";
  TEE_TRY(cfg::ReadString(t, origin, kPrefix, "check_chain_at", at));
  if (at == "now") {
    p.check_chain_at = nitro::ChainTime::kNow;
  } else if (at == "document") {
    p.check_chain_at = nitro::ChainTime::kDocument;
  } else {
    return Bad(origin, kPrefix + "check_chain_at", "must be \"now\" or \"document\"");
  }
  if (t.get("max_age_secs") != nullptr) {
    uint64_t age = 0;
    TEE_TRY(cfg::ReadU64(t, origin, kPrefix, "max_age_secs", 1, 366ull * 86400, age));
    p.max_age_secs = age;
  }
  TEE_TRY(cfg::ReadU64(t, origin, kPrefix, "max_clock_skew_secs", 0, 86400, p.max_clock_skew_secs));
  out = std::move(p);
  return Status::Ok();
}

void CanonicalNitroPolicy(const nitro::Policy& p, std::map<std::string, std::string>& kv) {
  kv["nitro.root_ca_sha256"] = ToHex(AsView(p.root_ca_sha256));
  std::string images;
  for (const auto& image : p.images) {  // sorted, unique
    if (!images.empty()) images += ",";
    std::string one;
    for (const auto& [index, value] : image.pcrs) {
      if (!one.empty()) one += ";";
      one += std::to_string(index) + ":" + ToHex(AsView(value));
    }
    images += one;
  }
  kv["nitro.images"] = images;
  kv["nitro.allow_debug"] = p.allow_debug ? "true" : "false";
  kv["nitro.check_chain_at"] = p.check_chain_at == nitro::ChainTime::kNow ? "now" : "document";
  kv["nitro.max_age_secs"] = p.max_age_secs ? std::to_string(*p.max_age_secs) : "default";
  kv["nitro.max_clock_skew_secs"] = std::to_string(p.max_clock_skew_secs);
}

}  // namespace tenzro::tee::plugin
