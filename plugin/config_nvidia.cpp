// [tee.consensus.nvidia]: the NVIDIA GPU verifier's chain policy
// (attestation/nvidia/policy.h).
//
//   device_root_sha256, rim_root_sha256   64 hex digits (SHA-256 of the root's DER)
//   require_rims, require_ocsp, allow_hold   bools
//   mode                                  "local" | "nras" | "both"
//   nras_issuer                           the NRAS token issuer (https URL)
//   nras_jwks_sha256                      64 hex digits: SHA-256 of NVIDIA's NRAS JWKS document
//   min_driver_version                    decimal dotted version, e.g. "550.90.07"
//   min_vbios_version                     hex dotted version, e.g. "96.00.9f.00.01"
//   allowed_architectures                 array of "hopper" / "blackwell"
//   max_age_secs                          GPU evidence age limit (else [tee.consensus])
#include <algorithm>

#include "attestation/nvidia/validate.h"
#include "plugin/config_util.h"

namespace tenzro::tee::plugin {
namespace {

using cfg::Bad;
const std::string kPrefix = "tee.consensus.nvidia.";

Status ReadPin(const toml::table& t, std::string_view origin, const char* key, Hash32& out,
               const char* what = "must be 64 hex digits (SHA-256 of the root's DER)") {
  if (t.get(key) == nullptr) return Status::Ok();
  std::string text;
  TEE_TRY(cfg::ReadString(t, origin, kPrefix, key, text));
  auto h = FromHexFixed<32>(text);
  if (!h) return Bad(origin, kPrefix + key, what);
  out = *h;
  return Status::Ok();
}

Status ReadVersion(const toml::table& t, std::string_view origin, const char* key, int base,
                   std::optional<nvidia::DottedVersion>& out) {
  if (t.get(key) == nullptr) return Status::Ok();
  std::string text;
  TEE_TRY(cfg::ReadString(t, origin, kPrefix, key, text));
  out = nvidia::ParseDottedVersion(text, base);
  if (!out) {
    return Bad(origin, kPrefix + key,
               base == 10 ? "must be a dotted decimal version (\"550.90.07\")"
                          : "must be a dotted hex version (\"96.00.9f.00.01\")");
  }
  return Status::Ok();
}

Status ReadMode(const toml::table& t, std::string_view origin, nvidia::Mode& out) {
  std::string mode = "local";
  TEE_TRY(cfg::ReadString(t, origin, kPrefix, "mode", mode));
  if (mode == "local") {
    out = nvidia::Mode::kLocal;
  } else if (mode == "nras") {
    out = nvidia::Mode::kNras;
  } else if (mode == "both") {
    out = nvidia::Mode::kBoth;
  } else {
    return Bad(origin, kPrefix + "mode", "must be \"local\", \"nras\" or \"both\"");
  }
  return Status::Ok();
}

Status ReadArchs(const toml::table& t, std::string_view origin, std::vector<nvidia::Arch>& out) {
  const toml::node* n = t.get("allowed_architectures");
  if (n == nullptr) return Status::Ok();
  const std::string name = kPrefix + "allowed_architectures";
  auto arr = n->as_array();
  if (!arr) return Bad(origin, name, "must be an array of \"hopper\" / \"blackwell\"");
  for (size_t i = 0; i < arr->size(); ++i) {
    auto s = arr->get(i)->as_string();
    std::string upper = s ? s->get() : "";
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    const nvidia::Arch a = nvidia::ArchFromName(upper);
    if (a == nvidia::Arch::kUnknown) {
      return Bad(origin, name + "[" + std::to_string(i) + "]",
                 "must be \"hopper\" or \"blackwell\"");
    }
    out.push_back(a);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return Status::Ok();
}

}  // namespace

Status ParseNvidiaPolicy(const toml::table& t, std::string_view origin, nvidia::Policy& out) {
  TEE_TRY(
      cfg::CheckKeys(t, origin, kPrefix,
                     {"device_root_sha256", "rim_root_sha256", "require_rims", "require_ocsp",
                      "allow_hold", "mode", "nras_issuer", "nras_jwks_sha256", "min_driver_version",
                      "min_vbios_version", "allowed_architectures", "max_age_secs"}));
  nvidia::Policy p;
  TEE_TRY(ReadPin(t, origin, "device_root_sha256", p.device_root_sha256));
  TEE_TRY(ReadPin(t, origin, "rim_root_sha256", p.rim_root_sha256));
  TEE_TRY(cfg::ReadBool(t, origin, kPrefix, "require_rims", p.require_rims));
  TEE_TRY(cfg::ReadBool(t, origin, kPrefix, "require_ocsp", p.require_ocsp));
  TEE_TRY(cfg::ReadBool(t, origin, kPrefix, "allow_hold", p.allow_hold));
  TEE_TRY(ReadMode(t, origin, p.mode));
  TEE_TRY(cfg::ReadString(t, origin, kPrefix, "nras_issuer", p.nras_issuer));
  if (p.nras_issuer.rfind("https://", 0) != 0 || p.nras_issuer.size() > 256) {
    return Bad(origin, kPrefix + "nras_issuer", "must be an https URL of at most 256 characters");
  }
  if (t.get("nras_jwks_sha256") != nullptr) {
    Hash32 pin{};
    TEE_TRY(ReadPin(t, origin, "nras_jwks_sha256", pin,
                    "must be 64 hex digits (SHA-256 of NVIDIA's NRAS JWKS document)"));
    p.nras_jwks_sha256 = pin;
  }
  TEE_TRY(ReadVersion(t, origin, "min_driver_version", 10, p.min_driver_version));
  TEE_TRY(ReadVersion(t, origin, "min_vbios_version", 16, p.min_vbios_version));
  TEE_TRY(ReadArchs(t, origin, p.allowed_architectures));
  if (t.get("max_age_secs") != nullptr) {
    uint64_t age = 0;
    TEE_TRY(cfg::ReadU64(t, origin, kPrefix, "max_age_secs", 1, 366ull * 86400, age));
    p.max_age_secs = age;
  }
  out = std::move(p);
  return Status::Ok();
}

void CanonicalNvidiaPolicy(const nvidia::Policy& p, std::map<std::string, std::string>& kv) {
  auto b = [](bool v) { return std::string(v ? "true" : "false"); };
  auto version = [](const std::optional<nvidia::DottedVersion>& v, int base) {
    return v ? nvidia::DottedVersionText(*v, base) : std::string("none");
  };
  kv["nvidia.device_root_sha256"] = ToHex(AsView(p.device_root_sha256));
  kv["nvidia.rim_root_sha256"] = ToHex(AsView(p.rim_root_sha256));
  kv["nvidia.require_rims"] = b(p.require_rims);
  kv["nvidia.require_ocsp"] = b(p.require_ocsp);
  kv["nvidia.allow_hold"] = b(p.allow_hold);
  kv["nvidia.mode"] = std::to_string(static_cast<int>(p.mode));
  kv["nvidia.nras_issuer"] =
      ToHex(ByteView(reinterpret_cast<const uint8_t*>(p.nras_issuer.data()), p.nras_issuer.size()));
  kv["nvidia.nras_jwks_sha256"] =
      p.nras_jwks_sha256 ? ToHex(AsView(*p.nras_jwks_sha256)) : std::string("none");
  kv["nvidia.min_driver_version"] = version(p.min_driver_version, 10);
  kv["nvidia.min_vbios_version"] = version(p.min_vbios_version, 16);
  std::string archs;
  for (nvidia::Arch a : p.allowed_architectures) {  // sorted, unique
    if (!archs.empty()) archs += ",";
    archs += std::string(nvidia::ArchName(a));
  }
  kv["nvidia.allowed_architectures"] = archs;
  kv["nvidia.max_age_secs"] = p.max_age_secs ? std::to_string(*p.max_age_secs) : "none";
}

}  // namespace tenzro::tee::plugin
