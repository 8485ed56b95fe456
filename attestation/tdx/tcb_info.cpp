#include "attestation/tdx/tcb_info.h"

#include <algorithm>
#include <array>

#include <nlohmann/json.hpp>

#include "attestation/tdx/json_scan.h"

namespace tenzro::tee::tdx {
namespace {

using Json = nlohmann::json;

constexpr std::array<std::string_view, kTcbStatusCount> kStatusNames = {
    "UpToDate",
    "SWHardeningNeeded",
    "ConfigurationNeeded",
    "ConfigurationAndSWHardeningNeeded",
    "OutOfDate",
    "OutOfDateConfigurationNeeded",
    "Revoked",
    "TDRelaunchAdvised",
    "TDRelaunchAdvisedConfigurationNeeded"};

Status Bad(std::string_view doc, const std::string& what) {
  return Error(ErrorCode::kInvalidArgument, std::string(doc) + ": " + what);
}

// Field readers: every one names the field it failed on.
class Fields {
 public:
  Fields(std::string_view doc, const Json& obj) : doc_(doc), obj_(obj) {}

  const Json* Find(const char* key) const {
    if (!obj_.is_object()) return nullptr;
    auto it = obj_.find(key);
    return it == obj_.end() ? nullptr : &*it;
  }
  Status String(const char* key, std::string& out) const {
    const Json* v = Find(key);
    if (v == nullptr || !v->is_string()) return Bad(doc_, std::string(key) + " is not a string");
    out = v->get_ref<const std::string&>();
    return Status::Ok();
  }
  Status Uint(const char* key, uint64_t max, uint64_t& out) const {
    const Json* v = Find(key);
    if (v == nullptr || !v->is_number_unsigned() || v->get<uint64_t>() > max) {
      return Bad(doc_, std::string(key) + " is not an integer in 0.." + std::to_string(max));
    }
    out = v->get<uint64_t>();
    return Status::Ok();
  }
  template <typename T>
  Status UintAs(const char* key, T& out) const {
    uint64_t v = 0;
    TEE_TRY(Uint(key, std::numeric_limits<T>::max(), v));
    out = static_cast<T>(v);
    return Status::Ok();
  }
  template <size_t N>
  Status Hex(const char* key, std::array<uint8_t, N>& out) const {
    std::string s;
    TEE_TRY(String(key, s));
    auto b = FromHexFixed<N>(s);
    if (!b) return Bad(doc_, std::string(key) + " is not " + std::to_string(N) + " bytes of hex");
    out = *b;
    return Status::Ok();
  }
  Status Time(const char* key, uint64_t& out) const {
    std::string s;
    TEE_TRY(String(key, s));
    auto t = ParseIsoTime(s);
    if (!t) return Bad(doc_, std::string(key) + " is not an ISO 8601 UTC time");
    out = *t;
    return Status::Ok();
  }
  Status Status_(const char* key, TcbStatus& out) const {
    std::string s;
    TEE_TRY(String(key, s));
    auto st = TcbStatusFromName(s);
    // The relaunch statuses are derived by verifiers, never written by Intel.
    if (!st || *st == TcbStatus::kTDRelaunchAdvised ||
        *st == TcbStatus::kTDRelaunchAdvisedConfigurationNeeded) {
      return Bad(doc_, std::string(key) + " \"" + s + "\" is not a TCB status");
    }
    out = *st;
    return Status::Ok();
  }
  Status Advisories(std::vector<std::string>& out) const {
    const Json* v = Find("advisoryIDs");
    if (v == nullptr) return Status::Ok();
    if (!v->is_array()) return Bad(doc_, "advisoryIDs is not an array");
    for (const auto& a : *v) {
      if (!a.is_string()) return Bad(doc_, "advisoryIDs holds a non-string");
      out.push_back(a.get<std::string>());
    }
    return Status::Ok();
  }
  const Json* Array(const char* key) const {
    const Json* v = Find(key);
    return v != nullptr && v->is_array() ? v : nullptr;
  }

 private:
  std::string_view doc_;
  const Json& obj_;
};

Result<Json> ParseObject(std::string_view doc, ByteView body) {
  Json j = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Bad(doc, "signed body is not a JSON object");
  return j;
}

// tcbLevels of a TDX module identity or QE identity: {"tcb":{"isvsvn":N}, tcbDate, tcbStatus,
// advisoryIDs}.
Status ParseIsvSvnLevels(std::string_view doc, const Json* levels, std::vector<IsvSvnLevel>& out) {
  if (levels == nullptr) return Bad(doc, "tcbLevels is not an array");
  for (const auto& l : *levels) {
    Fields f(doc, l);
    IsvSvnLevel level;
    const Json* tcb = f.Find("tcb");
    if (tcb == nullptr) return Bad(doc, "tcb level without tcb");
    TEE_TRY(Fields(doc, *tcb).UintAs("isvsvn", level.isvsvn));
    TEE_TRY(f.Time("tcbDate", level.tcb_date));
    TEE_TRY(f.Status_("tcbStatus", level.status));
    TEE_TRY(f.Advisories(level.advisory_ids));
    out.push_back(std::move(level));
  }
  return Status::Ok();
}

Status ParseModule(std::string_view doc, const Json& j, bool with_levels, TdxModuleIdentity& out) {
  Fields f(doc, j);
  if (with_levels) {
    TEE_TRY(f.String("id", out.id));
    std::transform(out.id.begin(), out.id.end(), out.id.begin(), [](char c) {
      return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    });
  }
  TEE_TRY(f.Hex("mrsigner", out.mrsigner));
  TEE_TRY(f.Hex("attributes", out.attributes));
  TEE_TRY(f.Hex("attributesMask", out.attributes_mask));
  if (with_levels) TEE_TRY(ParseIsvSvnLevels(doc, f.Array("tcbLevels"), out.tcb_levels));
  return Status::Ok();
}

Status ParseComponents(std::string_view doc, const Json* comps, const char* name,
                       std::array<uint8_t, 16>& out) {
  if (comps == nullptr || comps->size() != 16) {
    return Bad(doc, std::string(name) + " is not an array of 16 components");
  }
  for (size_t i = 0; i < 16; ++i) TEE_TRY(Fields(doc, (*comps)[i]).UintAs("svn", out[i]));
  return Status::Ok();
}

}  // namespace

std::string_view TcbStatusName(TcbStatus s) { return kStatusNames[static_cast<size_t>(s)]; }

std::optional<TcbStatus> TcbStatusFromName(std::string_view name) {
  for (size_t i = 0; i < kStatusNames.size(); ++i) {
    if (kStatusNames[i] == name) return static_cast<TcbStatus>(i);
  }
  return std::nullopt;
}

std::optional<uint64_t> ParseIsoTime(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
      s.back() != 'Z') {
    return std::nullopt;
  }
  auto num = [&](size_t at, size_t n, int64_t& v) {
    v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    return true;
  };
  int64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!num(0, 4, y) || !num(5, 2, mo) || !num(8, 2, d) || !num(11, 2, h) || !num(14, 2, mi) ||
      !num(17, 2, se)) {
    return std::nullopt;
  }
  if (s.size() > 20) {  // fractional seconds, ignored
    if (s[19] != '.' || s.size() == 21) return std::nullopt;
    for (size_t i = 20; i + 1 < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
    }
  }
  static constexpr std::array<int64_t, 12> kDays = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > kDays[static_cast<size_t>(mo - 1)] ||
      (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || se > 60) {
    return std::nullopt;
  }
  // Days from civil (proleptic Gregorian), integer only.
  const int64_t yy = mo <= 2 ? y - 1 : y;
  const int64_t era = yy / 400;
  const int64_t yoe = yy - era * 400;
  const int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = era * 146097 + doe - 719468;
  return static_cast<uint64_t>(days * 86400 + h * 3600 + mi * 60 + se);
}

Result<SignedJson> SplitSignedJson(ByteView doc, std::string_view member) {
  TEE_ASSIGN_OR_RETURN(ScannedObject obj, ScanJsonObject(doc));
  SignedJson out;
  TEE_ASSIGN_OR_RETURN(out.body, UniqueMember(obj, member));
  TEE_ASSIGN_OR_RETURN(ByteView sig_value, UniqueMember(obj, "signature"));
  TEE_ASSIGN_OR_RETURN(std::string sig_hex, PlainJsonString(sig_value));
  auto sig = FromHexFixed<64>(sig_hex);
  if (!sig) return Error(ErrorCode::kInvalidArgument, "signature is not 64 bytes of hex");
  out.signature = *sig;
  if (obj.members.size() != 2) {
    return Error(ErrorCode::kInvalidArgument,
                 "signed JSON has members besides " + std::string(member) + " and signature");
  }
  size_t rest = obj.end;
  while (rest < doc.size() &&
         (doc[rest] == ' ' || doc[rest] == '\t' || doc[rest] == '\n' || doc[rest] == '\r')) {
    ++rest;
  }
  out.trailer = doc.subspan(rest);
  return out;
}

Result<TcbInfo> ParseTcbInfo(ByteView body) {
  constexpr std::string_view kDoc = "TCB Info";
  TEE_ASSIGN_OR_RETURN(Json j, ParseObject(kDoc, body));
  Fields f(kDoc, j);
  TcbInfo out;
  TEE_TRY(f.UintAs("version", out.version));
  if (out.version != 3) {
    return Error(ErrorCode::kUnsupported,
                 "TCB Info version " + std::to_string(out.version) + " (only 3)");
  }
  TEE_TRY(f.String("id", out.id));
  if (out.id != "TDX" && out.id != "SGX")
    return Bad(kDoc, "id \"" + out.id + "\" is neither TDX nor SGX");
  TEE_TRY(f.Time("issueDate", out.issue_date));
  TEE_TRY(f.Time("nextUpdate", out.next_update));
  if (out.next_update < out.issue_date) return Bad(kDoc, "nextUpdate is before issueDate");
  TEE_TRY(f.Hex("fmspc", out.fmspc));
  TEE_TRY(f.Hex("pceId", out.pce_id));
  TEE_TRY(f.UintAs("tcbType", out.tcb_type));
  if (out.tcb_type != 0)
    return Error(ErrorCode::kUnsupported, "TCB Info tcbType " + std::to_string(out.tcb_type));
  TEE_TRY(f.Uint("tcbEvaluationDataNumber", UINT32_MAX, out.tcb_evaluation_data_number));
  const bool tdx = out.id == "TDX";
  if (tdx) {
    const Json* m = f.Find("tdxModule");
    if (m == nullptr) return Bad(kDoc, "TDX TCB Info without tdxModule");
    TdxModuleIdentity mod;
    TEE_TRY(ParseModule(kDoc, *m, false, mod));
    out.tdx_module = std::move(mod);
    if (const Json* ids = f.Find("tdxModuleIdentities")) {
      if (!ids->is_array()) return Bad(kDoc, "tdxModuleIdentities is not an array");
      for (const auto& id : *ids) {
        TdxModuleIdentity mi;
        TEE_TRY(ParseModule(kDoc, id, true, mi));
        out.tdx_module_identities.push_back(std::move(mi));
      }
    }
  }
  const Json* levels = f.Array("tcbLevels");
  if (levels == nullptr || levels->empty()) return Bad(kDoc, "tcbLevels is not a non-empty array");
  for (const auto& l : *levels) {
    Fields lf(kDoc, l);
    TcbLevel level;
    const Json* tcb = lf.Find("tcb");
    if (tcb == nullptr || !tcb->is_object()) return Bad(kDoc, "tcb level without tcb");
    Fields tf(kDoc, *tcb);
    TEE_TRY(ParseComponents(kDoc, tf.Array("sgxtcbcomponents"), "sgxtcbcomponents",
                            level.sgx_components));
    TEE_TRY(tf.UintAs("pcesvn", level.pcesvn));
    if (tdx) {
      std::array<uint8_t, 16> comps{};
      TEE_TRY(ParseComponents(kDoc, tf.Array("tdxtcbcomponents"), "tdxtcbcomponents", comps));
      level.tdx_components = comps;
    }
    TEE_TRY(lf.Time("tcbDate", level.tcb_date));
    TEE_TRY(lf.Status_("tcbStatus", level.status));
    TEE_TRY(lf.Advisories(level.advisory_ids));
    out.tcb_levels.push_back(std::move(level));
  }
  return out;
}

Result<QeIdentity> ParseQeIdentity(ByteView body) {
  constexpr std::string_view kDoc = "QE Identity";
  TEE_ASSIGN_OR_RETURN(Json j, ParseObject(kDoc, body));
  Fields f(kDoc, j);
  QeIdentity out;
  TEE_TRY(f.UintAs("version", out.version));
  if (out.version != 2) {
    return Error(ErrorCode::kUnsupported,
                 "QE Identity version " + std::to_string(out.version) + " (only 2)");
  }
  TEE_TRY(f.String("id", out.id));
  if (out.id != "TD_QE" && out.id != "QE")
    return Bad(kDoc, "id \"" + out.id + "\" is neither TD_QE nor QE");
  TEE_TRY(f.Time("issueDate", out.issue_date));
  TEE_TRY(f.Time("nextUpdate", out.next_update));
  if (out.next_update < out.issue_date) return Bad(kDoc, "nextUpdate is before issueDate");
  TEE_TRY(f.Uint("tcbEvaluationDataNumber", UINT32_MAX, out.tcb_evaluation_data_number));
  std::array<uint8_t, 4> misc{}, misc_mask{};
  TEE_TRY(f.Hex("miscselect", misc));
  TEE_TRY(f.Hex("miscselectMask", misc_mask));
  // The hex holds the bytes as the report stores them (little-endian u32).
  for (size_t i = 4; i > 0; --i) {
    out.miscselect = (out.miscselect << 8) | misc[i - 1];
    out.miscselect_mask = (out.miscselect_mask << 8) | misc_mask[i - 1];
  }
  TEE_TRY(f.Hex("attributes", out.attributes));
  TEE_TRY(f.Hex("attributesMask", out.attributes_mask));
  TEE_TRY(f.Hex("mrsigner", out.mrsigner));
  TEE_TRY(f.UintAs("isvprodid", out.isvprodid));
  TEE_TRY(ParseIsvSvnLevels(kDoc, f.Array("tcbLevels"), out.tcb_levels));
  if (out.tcb_levels.empty()) return Bad(kDoc, "tcbLevels is empty");
  return out;
}

}  // namespace tenzro::tee::tdx
