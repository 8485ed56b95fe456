// [tee.consensus.tdx]: the TDX/SGX verifier's chain policy (attestation/tdx/policy.h).
//
//   root_ca_sha256          64 hex digits: SHA-256 of the pinned root's DER (default Intel SGX Root
//   CA) accepted_tcb_statuses   array of Intel TCB status names (default: all but "Revoked")
//   outofdate_grace_secs    OutOfDate accepted for this long after the newer level's tcbDate
//   (default 0) require_crls            PCK CRL and Root CA CRL must be at hand (default false)
//   mrtd, rtmr0..rtmr3, mrseam, mrconfigid   allow-lists of 96 hex digits (default: any)
//   require_sept_ve_disable TD_ATTRIBUTES.SEPT_VE_DISABLE must be set (default false)
//   sgx_mrenclave, sgx_mrsigner              allow-lists of 64 hex digits
//   sgx_isvprodid           allow-list of integers 0..65535
//   sgx_min_isvsvn          minimum enclave ISVSVN (default 0)
//
// Lists are kept sorted and unique, so equal policies give equal canonical params.
#include <algorithm>

#include "plugin/config_util.h"

namespace tenzro::tee::plugin {
namespace {

using namespace cfg;
constexpr char kPrefix[] = "tee.consensus.tdx.";

template <size_t N>
Status ReadHexList(const toml::table& t, std::string_view origin, const char* key,
                   std::vector<std::array<uint8_t, N>>& out) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return Status::Ok();
  const std::string name = std::string(kPrefix) + key;
  auto arr = n->as_array();
  if (!arr) return Bad(origin, name, "must be an array of hex strings");
  out.clear();
  for (size_t i = 0; i < arr->size(); ++i) {
    auto s = arr->get(i)->as_string();
    auto v = s ? FromHexFixed<N>(s->get()) : std::nullopt;
    if (!v) {
      return Bad(
          origin, name + "[" + std::to_string(i) + "]",
          "must be " + std::to_string(2 * N) + " hex digits (" + std::to_string(N) + " bytes)");
    }
    out.push_back(*v);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return Status::Ok();
}

Status ReadStatuses(const toml::table& t, std::string_view origin, std::set<tdx::TcbStatus>& out) {
  const toml::node* n = t.get("accepted_tcb_statuses");
  if (n == nullptr) return Status::Ok();
  const std::string name = std::string(kPrefix) + "accepted_tcb_statuses";
  auto arr = n->as_array();
  if (!arr) return Bad(origin, name, "must be an array of TCB status names");
  out.clear();
  for (size_t i = 0; i < arr->size(); ++i) {
    auto s = arr->get(i)->as_string();
    auto st = s ? tdx::TcbStatusFromName(s->get()) : std::nullopt;
    if (!st) {
      return Bad(
          origin, name + "[" + std::to_string(i) + "]",
          "must be one of UpToDate, SWHardeningNeeded, ConfigurationNeeded, "
          "ConfigurationAndSWHardeningNeeded, OutOfDate, OutOfDateConfigurationNeeded, Revoked, "
          "TDRelaunchAdvised, TDRelaunchAdvisedConfigurationNeeded");
    }
    out.insert(*st);
  }
  return Status::Ok();
}

Status ReadU16List(const toml::table& t, std::string_view origin, const char* key,
                   std::vector<uint16_t>& out) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return Status::Ok();
  const std::string name = std::string(kPrefix) + key;
  auto arr = n->as_array();
  if (!arr) return Bad(origin, name, "must be an array of integers");
  out.clear();
  for (size_t i = 0; i < arr->size(); ++i) {
    auto v = arr->get(i)->as_integer();
    if (!v || v->get() < 0 || v->get() > 0xffff) {
      return Bad(origin, name + "[" + std::to_string(i) + "]", "must be an integer in [0, 65535]");
    }
    out.push_back(static_cast<uint16_t>(v->get()));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return Status::Ok();
}

template <size_t N>
std::string JoinHex(const std::vector<std::array<uint8_t, N>>& list) {
  std::string s;
  for (const auto& v : list) {
    if (!s.empty()) s += ",";
    s += ToHex(AsView(v));
  }
  return s;
}

}  // namespace

Status ParseTdxPolicy(const toml::table& t, std::string_view origin, tdx::Policy& out) {
  TEE_TRY(CheckKeys(
      t, origin, kPrefix,
      {"root_ca_sha256", "accepted_tcb_statuses", "outofdate_grace_secs", "require_crls", "mrtd",
       "rtmr0", "rtmr1", "rtmr2", "rtmr3", "mrseam", "mrconfigid", "require_sept_ve_disable",
       "sgx_mrenclave", "sgx_mrsigner", "sgx_isvprodid", "sgx_min_isvsvn"}));
  std::string root;
  TEE_TRY(ReadString(t, origin, kPrefix, "root_ca_sha256", root));
  if (t.get("root_ca_sha256") != nullptr) {
    auto h = FromHexFixed<32>(root);
    if (!h)
      return Bad(origin, std::string(kPrefix) + "root_ca_sha256",
                 "must be 64 hex digits (SHA-256)");
    out.root_ca_sha256 = *h;
  }
  TEE_TRY(ReadStatuses(t, origin, out.accepted_tcb_statuses));
  TEE_TRY(
      ReadU64(t, origin, kPrefix, "outofdate_grace_secs", 0, UINT32_MAX, out.outofdate_grace_secs));
  TEE_TRY(ReadBool(t, origin, kPrefix, "require_crls", out.require_crls));
  TEE_TRY(ReadHexList(t, origin, "mrtd", out.mrtd));
  static constexpr const char* kRtmr[] = {"rtmr0", "rtmr1", "rtmr2", "rtmr3"};
  for (size_t i = 0; i < 4; ++i) TEE_TRY(ReadHexList(t, origin, kRtmr[i], out.rtmr[i]));
  TEE_TRY(ReadHexList(t, origin, "mrseam", out.mrseam));
  TEE_TRY(ReadHexList(t, origin, "mrconfigid", out.mrconfigid));
  TEE_TRY(ReadBool(t, origin, kPrefix, "require_sept_ve_disable", out.require_sept_ve_disable));
  TEE_TRY(ReadHexList(t, origin, "sgx_mrenclave", out.sgx_mrenclave));
  TEE_TRY(ReadHexList(t, origin, "sgx_mrsigner", out.sgx_mrsigner));
  TEE_TRY(ReadU16List(t, origin, "sgx_isvprodid", out.sgx_isvprodid));
  uint64_t min_svn = out.sgx_min_isvsvn;
  TEE_TRY(ReadU64(t, origin, kPrefix, "sgx_min_isvsvn", 0, 0xffff, min_svn));
  out.sgx_min_isvsvn = static_cast<uint16_t>(min_svn);
  return Status::Ok();
}

void CanonicalTdxPolicy(const tdx::Policy& p, std::map<std::string, std::string>& kv) {
  kv["tdx.root_ca_sha256"] = ToHex(AsView(p.root_ca_sha256));
  std::string statuses;
  for (tdx::TcbStatus s : p.accepted_tcb_statuses) {  // enum order
    if (!statuses.empty()) statuses += ",";
    statuses += std::string(tdx::TcbStatusName(s));
  }
  kv["tdx.accepted_tcb_statuses"] = statuses;
  kv["tdx.outofdate_grace_secs"] = std::to_string(p.outofdate_grace_secs);
  kv["tdx.require_crls"] = p.require_crls ? "true" : "false";
  kv["tdx.mrtd"] = JoinHex(p.mrtd);
  for (size_t i = 0; i < 4; ++i) kv["tdx.rtmr" + std::to_string(i)] = JoinHex(p.rtmr[i]);
  kv["tdx.mrseam"] = JoinHex(p.mrseam);
  kv["tdx.mrconfigid"] = JoinHex(p.mrconfigid);
  kv["tdx.require_sept_ve_disable"] = p.require_sept_ve_disable ? "true" : "false";
  kv["tdx.sgx_mrenclave"] = JoinHex(p.sgx_mrenclave);
  kv["tdx.sgx_mrsigner"] = JoinHex(p.sgx_mrsigner);
  std::string ids;
  for (uint16_t v : p.sgx_isvprodid) {
    if (!ids.empty()) ids += ",";
    ids += std::to_string(v);
  }
  kv["tdx.sgx_isvprodid"] = ids;
  kv["tdx.sgx_min_isvsvn"] = std::to_string(p.sgx_min_isvsvn);
}

}  // namespace tenzro::tee::plugin
