#include "attestation/nvidia/evidence_json.h"

#include <cctype>

#include <nlohmann/json.hpp>

#include "crypto/base64.h"

namespace tenzro::tee::nvidia {
namespace {

Status Malformed(std::string what) {
  return Error(ErrorCode::kInvalidArgument, "nvidia evidence JSON: " + std::move(what));
}

std::optional<std::string> StringAt(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

Status ReadCommon(const nlohmann::json& j, GpuEvidence& g) {
  if (j.contains("nonce")) {
    auto s = StringAt(j, "nonce");
    auto b = s ? FromHex(*s) : std::nullopt;
    if (!b || b->size() != kNonceSize) return Malformed("nonce is not 64 hex digits");
    g.nonce = std::move(*b);
  }
  if (j.contains("arch")) {
    auto s = StringAt(j, "arch");
    if (!s || s->empty() || s->size() > 32) return Malformed("arch is not a short string");
    for (char& c : *s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    g.arch = std::move(*s);
  }
  return Status::Ok();
}

Result<GpuEvidence> ReadGpu(const nlohmann::json& item, const GpuEvidence& defaults, size_t i) {
  const std::string where = "GPU " + std::to_string(i) + ": ";
  if (!item.is_object()) return Malformed(where + "not an object");
  GpuEvidence g = defaults;
  TEE_TRY(ReadCommon(item, g));
  // NVSwitch (LS10) evidence shares the envelope but not the GPU report.
  if (g.arch && *g.arch != "HOPPER" && *g.arch != "BLACKWELL") {
    return Error(ErrorCode::kUnsupported, "nvidia evidence JSON: " + where + "arch " + *g.arch +
                                              " is not a GPU this verifier knows");
  }
  auto ev = StringAt(item, "evidence");
  auto cert = StringAt(item, "certificate");
  if (!ev || !cert) return Malformed(where + "evidence and certificate must be strings");
  auto report_bytes = crypto::Base64Decode(*ev);
  auto pem = crypto::Base64Decode(*cert);
  if (!report_bytes || !pem) return Malformed(where + "bad base64");
  auto report = ParseReportBinary(AsView(*report_bytes));
  if (!report.ok()) return Status(report.status().code(), where + report.status().message());
  g.report = std::move(*report);
  g.certificate_pem = std::move(*pem);
  return g;
}

}  // namespace

bool LooksLikeJson(ByteView data) {
  for (uint8_t c : data) {
    if (std::isspace(c) != 0) continue;
    return c == '{' || c == '[';
  }
  return false;
}

bool LooksLikeDetachedEat(ByteView data) {
  int brackets = 0;
  for (uint8_t c : data) {
    if (std::isspace(c) != 0) continue;
    if (c != '[') return false;
    if (++brackets == 2) return true;
  }
  return false;
}

Result<SerializedEvidence> ParseSerializedEvidence(ByteView data) {
  if (data.size() > kMaxGpus * 2 * kMaxReportBytes) return Malformed("too large");
  const auto j = nlohmann::json::parse(data.begin(), data.end(), nullptr, false);
  if (j.is_discarded()) return Malformed("not JSON");
  GpuEvidence defaults;
  const nlohmann::json* list = &j;
  if (j.is_object()) {
    TEE_TRY(ReadCommon(j, defaults));
    auto it = j.find("evidence_list");
    if (it == j.end()) return Malformed("no evidence_list");
    list = &*it;
  }
  if (!list->is_array() || list->empty()) return Malformed("no GPU evidence");
  if (list->size() > kMaxGpus) return Malformed("more than 16 GPUs");
  SerializedEvidence out;
  if (j.is_object() && j.contains("nras_eat")) {
    const auto& eat = j["nras_eat"];
    if (eat.is_string()) {
      out.nras_eat = eat.get<std::string>();
    } else if (eat.is_array()) {
      out.nras_eat = eat.dump();  // tokens are strings: kept byte for byte
    } else {
      return Malformed("nras_eat is neither a detached EAT nor its JSON text");
    }
  }
  for (size_t i = 0; i < list->size(); ++i) {
    TEE_ASSIGN_OR_RETURN(GpuEvidence g, ReadGpu((*list)[i], defaults, i));
    out.gpus.push_back(std::move(g));
  }
  return out;
}

}  // namespace tenzro::tee::nvidia
