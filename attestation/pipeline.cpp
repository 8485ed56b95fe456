#include "attestation/pipeline.h"

#include "crypto/hash.h"

namespace tenzro::tee::pipeline {

Bytes U64Le(uint64_t v) {
  Bytes b;
  PutU64Le(b, v);
  return b;
}

std::optional<uint64_t> ReadU64Le(ByteView b) {
  if (b.size() != 8) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 8; i-- > 0;) v = (v << 8) | b[i];
  return v;
}

void FailParse(Verdict& v, const Status& parse_error) {
  v.Fail(parse_error.code() == ErrorCode::kUnsupported ? FailureCode::kUnsupported
                                                       : FailureCode::kMalformed,
         parse_error.message());
}

bool CheckWindow(Verdict& v, std::string_view what, uint64_t from, uint64_t until, uint64_t now) {
  if (now < from) {
    v.Fail(FailureCode::kNotYetValid,
           std::string(what) + " is not valid before " + std::to_string(from));
    return false;
  }
  if (now > until) {
    v.Fail(FailureCode::kExpired, std::string(what) + " expired at " + std::to_string(until));
    return false;
  }
  return true;
}

void CheckEvidenceAge(Verdict& v, Validity& validity, std::optional<uint64_t> evidence_time,
                      uint64_t max_age_secs, uint64_t now) {
  if (!evidence_time) return;
  const uint64_t et = *evidence_time;
  const uint64_t limit = SatAdd(et, max_age_secs);
  validity.Narrow(et, limit);
  if (now < et) {
    v.Fail(FailureCode::kNotYetValid, "evidence time " + std::to_string(et) + " is after now");
  } else if (now > limit) {
    v.Fail(FailureCode::kExpired,
           "evidence older than max_age_secs (" + std::to_string(max_age_secs) + ")");
  }
}

const Bytes* FindClaim(const ClaimSet& claims, const std::string& name) {
  auto it = claims.find(name);
  return it == claims.end() ? nullptr : &it->second;
}

std::optional<uint64_t> ClaimU64(const ClaimSet& claims, const std::string& name) {
  const Bytes* b = FindClaim(claims, name);
  return b == nullptr ? std::nullopt : ReadU64Le(AsView(*b));
}

void CheckBinding(Verdict& v, const std::optional<ReportDataBinding>& binding, ByteView report_data,
                  FailureCode code) {
  if (!binding) return;
  const auto expected = ComputeBinding(*binding);
  const size_t n = std::min(expected.size(), report_data.size());
  v.binding_valid = report_data.size() <= expected.size() && n > 0 &&
                    crypto::ConstantTimeEqual(ByteView(expected.data(), n), report_data);
  if (!*v.binding_valid) {
    v.Fail(code, std::string("report data does not commit to ") + BindingSubject(*binding));
  }
}

void CheckSimulation(Verdict& v, bool dev_rooted, bool simulation, std::string_view what) {
  if (dev_rooted && !simulation) {
    v.Fail(FailureCode::kSimulationDisabled,
           std::string(what) + " chains to a development root while [tee] simulation = false");
  }
}

Hash32 EvidenceId(TeeType type, ByteView signed_content) {
  Bytes msg;
  const std::string tag = "tenzro-tee-evidence-v1";
  msg.insert(msg.end(), tag.begin(), tag.end());
  msg.push_back(static_cast<uint8_t>(type));
  msg.insert(msg.end(), signed_content.begin(), signed_content.end());
  return crypto::Sha256(AsView(msg));
}

}  // namespace tenzro::tee::pipeline
