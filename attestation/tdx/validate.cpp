#include "attestation/tdx/validate.h"

#include <algorithm>
#include <functional>
#include <string>

#include "attestation/pipeline.h"

namespace tenzro::tee::tdx {
namespace {

template <size_t N>
Bytes ToBytes(const std::array<uint8_t, N>& a) {
  return Bytes(a.begin(), a.end());
}

Bytes U16Bytes(uint16_t v) { return Bytes{static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8)}; }

template <size_t N>
bool ReadArray(const ClaimSet& c, const char* name, std::array<uint8_t, N>& out) {
  auto it = c.find(name);
  if (it == c.end() || it->second.size() != N) return false;
  std::copy(it->second.begin(), it->second.end(), out.begin());
  return true;
}

bool ReadU16(const ClaimSet& c, const char* name, uint16_t& out) {
  std::array<uint8_t, 2> b{};
  if (!ReadArray(c, name, b)) return false;
  out = static_cast<uint16_t>(b[0] | (b[1] << 8));
  return true;
}

uint64_t TdAttributes(const QuoteFacts& f) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v |= static_cast<uint64_t>(f.td_attributes[i]) << (8 * i);
  return v;
}

void ValidateTd(Verdict& v, const QuoteFacts& f, const Policy& p,
                const std::function<void(bool, const std::string&)>& listed) {
  const uint64_t attrs = TdAttributes(f);
  v.debug = (attrs & fmt::kTdAttrDebug) != 0;
  if (v.debug) v.Fail(FailureCode::kDebugEnclave, "TD_ATTRIBUTES.DEBUG is set");
  if (p.require_sept_ve_disable && (attrs & fmt::kTdAttrSeptVeDisable) == 0) {
    v.Fail(FailureCode::kPolicyViolation, "TD_ATTRIBUTES.SEPT_VE_DISABLE is clear");
  }
  listed(pipeline::Listed(p.mrtd, f.mr_td), "MRTD");
  for (size_t i = 0; i < f.rtmr.size(); ++i) {
    listed(pipeline::Listed(p.rtmr[i], f.rtmr[i]), "RTMR" + std::to_string(i));
  }
  listed(pipeline::Listed(p.mrseam, f.mr_seam), "MRSEAM");
  listed(pipeline::Listed(p.mrconfigid, f.mr_config_id), "MRCONFIGID");
}

void ValidateSgx(Verdict& v, const QuoteFacts& f, const Policy& p,
                 const std::function<void(bool, const std::string&)>& listed) {
  v.debug = (f.attributes[0] & fmt::kSgxAttrDebugBit) != 0;
  if (v.debug) v.Fail(FailureCode::kDebugEnclave, "enclave ATTRIBUTES.DEBUG is set");
  listed(pipeline::Listed(p.sgx_mrenclave, f.mr_enclave), "MRENCLAVE");
  listed(pipeline::Listed(p.sgx_mrsigner, f.mr_signer), "MRSIGNER");
  const auto& ids = p.sgx_isvprodid;
  listed(ids.empty() || std::find(ids.begin(), ids.end(), f.isv_prod_id) != ids.end(),
         "ISVPRODID " + std::to_string(f.isv_prod_id));
  if (f.isv_svn < p.sgx_min_isvsvn) {
    v.Fail(FailureCode::kPolicyViolation, "ISVSVN " + std::to_string(f.isv_svn) +
                                              " is below the minimum " +
                                              std::to_string(p.sgx_min_isvsvn));
  }
}

}  // namespace

QuoteFacts FactsOf(const Quote& q) {
  QuoteFacts f;
  f.tdx = q.is_tdx();
  if (f.tdx) {
    f.td_attributes = q.td.td_attributes;
    f.mr_td = q.td.mr_td;
    f.rtmr = q.td.rtmr;
    f.mr_seam = q.td.mr_seam;
    f.mr_config_id = q.td.mr_config_id;
  } else {
    f.attributes = q.sgx.attributes;
    f.mr_enclave = q.sgx.mr_enclave;
    f.mr_signer = q.sgx.mr_signer;
    f.isv_prod_id = q.sgx.isv_prod_id;
    f.isv_svn = q.sgx.isv_svn;
  }
  return f;
}

void Validate(Verdict& v, const QuoteFacts& f, const Policy& policy) {
  v.measurements_valid = true;
  const std::function<void(bool, const std::string&)> listed = [&](bool ok,
                                                                   const std::string& what) {
    if (ok) return;
    v.measurements_valid = false;
    v.Fail(FailureCode::kMeasurementMismatch, what + " is not on the allow-list");
  };
  if (f.tdx) {
    ValidateTd(v, f, policy, listed);
  } else {
    ValidateSgx(v, f, policy, listed);
  }
}

void PutFactClaims(const QuoteFacts& f, ClaimSet& c) {
  c[claim::kBody] = Bytes{static_cast<uint8_t>(f.tdx ? 1 : 0)};
  if (f.tdx) {
    c[claim::kTdAttributes] = ToBytes(f.td_attributes);
    c[claim::kMrTd] = ToBytes(f.mr_td);
    Bytes rtmr;
    for (const auto& r : f.rtmr) rtmr.insert(rtmr.end(), r.begin(), r.end());
    c[claim::kRtmr] = std::move(rtmr);
    c[claim::kMrSeam] = ToBytes(f.mr_seam);
    c[claim::kMrConfigId] = ToBytes(f.mr_config_id);
  } else {
    c[claim::kAttributes] = ToBytes(f.attributes);
    c[claim::kMrEnclave] = ToBytes(f.mr_enclave);
    c[claim::kMrSigner] = ToBytes(f.mr_signer);
    c[claim::kIsvProdId] = U16Bytes(f.isv_prod_id);
    c[claim::kIsvSvn] = U16Bytes(f.isv_svn);
  }
}

Result<std::optional<QuoteFacts>> FactsFromClaims(const ClaimSet& c) {
  auto body = c.find(claim::kBody);
  if (body == c.end()) return std::optional<QuoteFacts>();
  const auto bad =
      Error(ErrorCode::kStorage, "stored TDX quote claims are incomplete or malformed");
  if (body->second.size() != 1 || body->second[0] > 1) return bad;
  QuoteFacts f;
  f.tdx = body->second[0] == 1;
  if (f.tdx) {
    auto rtmr = c.find(claim::kRtmr);
    if (rtmr == c.end() || rtmr->second.size() != f.rtmr.size() * fmt::kMeasurementSize) return bad;
    for (size_t i = 0; i < f.rtmr.size(); ++i) {
      std::copy_n(rtmr->second.begin() + static_cast<ptrdiff_t>(i * fmt::kMeasurementSize),
                  fmt::kMeasurementSize, f.rtmr[i].begin());
    }
    if (!ReadArray(c, claim::kTdAttributes, f.td_attributes) ||
        !ReadArray(c, claim::kMrTd, f.mr_td) || !ReadArray(c, claim::kMrSeam, f.mr_seam) ||
        !ReadArray(c, claim::kMrConfigId, f.mr_config_id)) {
      return bad;
    }
  } else if (!ReadArray(c, claim::kAttributes, f.attributes) ||
             !ReadArray(c, claim::kMrEnclave, f.mr_enclave) ||
             !ReadArray(c, claim::kMrSigner, f.mr_signer) ||
             !ReadU16(c, claim::kIsvProdId, f.isv_prod_id) ||
             !ReadU16(c, claim::kIsvSvn, f.isv_svn)) {
    return bad;
  }
  return std::optional<QuoteFacts>(f);
}

}  // namespace tenzro::tee::tdx
