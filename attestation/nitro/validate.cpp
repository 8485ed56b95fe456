#include "attestation/nitro/validate.h"

#include <algorithm>
#include <string>

#include "attestation/nitro/nitro_verifier.h"

namespace tenzro::tee::nitro {
namespace {

bool AllZero(const Bytes& b) {
  return std::all_of(b.begin(), b.end(), [](uint8_t x) { return x == 0; });
}

bool Matches(const Image& image, const std::map<uint32_t, Bytes>& pcrs) {
  for (const auto& [index, value] : image.pcrs) {
    auto it = pcrs.find(index);
    if (it == pcrs.end() || it->second != value) return false;
  }
  return true;
}

Status Bad() {
  return Error(ErrorCode::kStorage, "stored Nitro claims are incomplete or malformed");
}

}  // namespace

bool IsDebug(const std::map<uint32_t, Bytes>& pcrs) {
  for (uint32_t i : {0u, 1u, 2u}) {
    auto it = pcrs.find(i);
    if (it == pcrs.end() || !AllZero(it->second)) return false;
  }
  return true;
}

bool ValidateTime(Verdict& v, pipeline::Validity& validity, const DocumentFacts& f,
                  const Policy& policy, uint64_t default_max_age, uint64_t now) {
  const uint64_t doc_time = f.timestamp_ms / 1000;
  bool chain_ok = true;
  if (policy.check_chain_at == ChainTime::kNow) {
    validity.Narrow(f.chain_not_before, f.chain_not_after);
    chain_ok =
        pipeline::CheckWindow(v, "certificate chain", f.chain_not_before, f.chain_not_after, now);
  } else {
    // The chain held when the document was made; freshness is max_age's.
    chain_ok = pipeline::CheckWindow(v, "certificate chain (at the document's timestamp)",
                                     f.chain_not_before, f.chain_not_after, doc_time);
  }
  const uint64_t max_age = policy.max_age_secs.value_or(default_max_age);
  const uint64_t from =
      doc_time > policy.max_clock_skew_secs ? doc_time - policy.max_clock_skew_secs : 0;
  const uint64_t until = pipeline::SatAdd(doc_time, max_age);
  validity.Narrow(from, until);
  pipeline::CheckWindow(v, "document (timestamp - max_clock_skew_secs .. timestamp + max_age_secs)",
                        from, until, now);
  return chain_ok;
}

void Validate(Verdict& v, const DocumentFacts& f, const Policy& policy) {
  if (IsDebug(f.pcrs) && !policy.allow_debug) {
    v.Fail(FailureCode::kDebugEnclave, "PCR0, PCR1 and PCR2 are all zero (debug-mode enclave)");
  }
  v.measurements_valid =
      policy.images.empty() || std::any_of(policy.images.begin(), policy.images.end(),
                                           [&](const Image& i) { return Matches(i, f.pcrs); });
  if (!v.measurements_valid) {
    v.Fail(FailureCode::kMeasurementMismatch, "the PCRs match no image of the allow-list");
  }
}

void PutFactClaims(const DocumentFacts& f, ClaimSet& c) {
  Bytes pcrs;  // (index u8, length u8, value) in index order
  for (const auto& [index, value] : f.pcrs) {
    pcrs.push_back(static_cast<uint8_t>(index));
    pcrs.push_back(static_cast<uint8_t>(value.size()));
    pcrs.insert(pcrs.end(), value.begin(), value.end());
  }
  c[claim::kPcrs] = std::move(pcrs);
  c[claim::kTimestampMs] = pipeline::U64Le(f.timestamp_ms);
  c[claim::kNotBefore] = pipeline::U64Le(f.chain_not_before);
  c[claim::kNotAfter] = pipeline::U64Le(f.chain_not_after);
}

Result<DocumentFacts> FactsFromClaims(const ClaimSet& c) {
  auto get = [&](const char* n) -> const Bytes* {
    auto it = c.find(n);
    return it == c.end() ? nullptr : &it->second;
  };
  const Bytes* pcrs = get(claim::kPcrs);
  const Bytes* ts = get(claim::kTimestampMs);
  const Bytes* nb = get(claim::kNotBefore);
  const Bytes* na = get(claim::kNotAfter);
  if (pcrs == nullptr || ts == nullptr || nb == nullptr || na == nullptr) return Bad();
  auto ts_v = pipeline::ReadU64Le(AsView(*ts));
  auto nb_v = pipeline::ReadU64Le(AsView(*nb));
  auto na_v = pipeline::ReadU64Le(AsView(*na));
  if (!ts_v || !nb_v || !na_v) return Bad();
  DocumentFacts f{{}, *ts_v, *nb_v, *na_v};
  for (size_t pos = 0; pos < pcrs->size();) {
    if (pcrs->size() - pos < 2) return Bad();
    const uint32_t index = (*pcrs)[pos];
    const size_t len = (*pcrs)[pos + 1];
    pos += 2;
    if (index >= kPcrCount || pcrs->size() - pos < len) return Bad();
    const auto first = pcrs->begin() + static_cast<std::ptrdiff_t>(pos);
    if (!f.pcrs.emplace(index, Bytes(first, first + static_cast<std::ptrdiff_t>(len))).second)
      return Bad();
    pos += len;
  }
  return f;
}

}  // namespace tenzro::tee::nitro
