#include "test_verifier.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <string>

#include <nlohmann/json.hpp>

#include "crypto/hash.h"

namespace tenzro::tee::testing {
namespace {

Status Bad(const std::string& why) { return Error(ErrorCode::kCollateral, why); }

std::string_view AsText(ByteView b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

bool SelfIssued(const x509::Certificate& c) { return c.IssuedBy(c); }

CollateralDoc NewDoc(TeeType type, ByteView data) {
  CollateralDoc d;
  d.tee_type = type;
  d.content_hash = crypto::Sha256(data);
  d.data.assign(data.begin(), data.end());
  return d;
}

}  // namespace

ByteView JsonObjectValue(ByteView json, std::string_view key) {
  const std::string quoted = "\"" + std::string(key) + "\"";
  std::string_view text = AsText(json);
  size_t at = text.find(quoted);
  if (at == std::string_view::npos) return {};
  size_t i = text.find_first_not_of(" \t\r\n", at + quoted.size());
  if (i == std::string_view::npos || text[i] != ':') return {};
  i = text.find_first_not_of(" \t\r\n", i + 1);
  if (i == std::string_view::npos || text[i] != '{') return {};
  const size_t start = i;
  int depth = 0;
  bool in_string = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{') ++depth;
    else if (c == '}' && --depth == 0) return json.subspan(start, i + 1 - start);
  }
  return {};
}

std::optional<uint64_t> ParseIsoTime(const std::string& s) {
  std::tm tm{};
  char z = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &z) != 7 ||
      z != 'Z') {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  time_t t = timegm(&tm);
  if (t < 0) return std::nullopt;
  return static_cast<uint64_t>(t);
}

Result<Verdict> TestCollateralVerifier::Verify(const VerifyRequest& /*req*/) const {
  Verdict v;
  v.tee_type = type_;
  v.Fail(FailureCode::kUnsupported, "test verifier: collateral only");
  return v;
}

Status TestCollateralVerifier::CheckChain(const std::vector<x509::Certificate>& chain) const {
  if (chain.empty()) return Bad("empty chain");
  for (size_t i = 0; i + 1 < chain.size(); ++i) {
    if (!chain[i].IssuedBy(chain[i + 1])) return Bad("chain link " + std::to_string(i) + " is not signed by the next");
  }
  const x509::Certificate& top = chain.back();
  for (const auto& root : roots_) {
    if (top.fingerprint() == root.fingerprint() && SelfIssued(top)) return Status::Ok();
    if (top.IssuedBy(root)) return Status::Ok();
  }
  return Bad("chain does not lead to a pinned root");
}

Result<CollateralDoc> TestCollateralVerifier::ParseJson(ByteView data) const {
  std::string_view text = AsText(data);
  const size_t pem = text.find("-----BEGIN");
  if (pem == std::string_view::npos) return Bad("JSON document without its issuer chain");
  ByteView json = data.first(pem);
  auto chain = x509::Certificate::ParseAll(data.subspan(pem));
  if (!chain.ok()) return Bad("issuer chain: " + chain.status().message());
  TEE_TRY(CheckChain(*chain));
  auto j = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("signature") || !j["signature"].is_string()) {
    return Bad("not a signed Intel JSON document");
  }
  const bool tcb = j.contains("tcbInfo");
  const char* body_key = tcb ? "tcbInfo" : "enclaveIdentity";
  if (!j.contains(body_key)) return Bad("neither tcbInfo nor enclaveIdentity");
  ByteView signed_bytes = JsonObjectValue(json, body_key);
  auto sig = FromHex(j["signature"].get<std::string>());
  if (signed_bytes.empty() || !sig || sig->size() != 64) return Bad("malformed signature");
  if (!x509::EcdsaVerifyRaw(chain->front().public_key(), x509::Digest::kSha256, signed_bytes, AsView(*sig))) {
    return Bad("signature does not verify");
  }
  const auto& body = j[body_key];
  auto issue = ParseIsoTime(body.value("issueDate", ""));
  auto next = ParseIsoTime(body.value("nextUpdate", ""));
  if (!issue || !next) return Bad("bad issueDate/nextUpdate");
  CollateralDoc d = NewDoc(type_, data);
  d.kind = tcb ? "tcb_info" : "qe_identity";
  d.this_update = *issue;
  d.next_update = *next;
  d.rank = body.value("tcbEvaluationDataNumber", uint64_t{0});
  if (tcb) {
    auto fmspc = FromHex(body.value("fmspc", ""));
    if (!fmspc) return Bad("bad fmspc");
    d.key = *fmspc;
  }
  return d;
}

Result<CollateralDoc> TestCollateralVerifier::ParseCrl(ByteView data) const {
  auto crl = x509::Crl::Parse(data);
  if (!crl.ok()) return Bad("CRL: " + crl.status().message());
  std::vector<x509::Certificate> chain;
  if (AsText(data).find("-----BEGIN CERTIFICATE") != std::string_view::npos) {
    auto c = x509::Certificate::ParseAll(data);
    if (!c.ok()) return Bad("CRL issuer chain: " + c.status().message());
    chain = std::move(c).value();
  }
  if (chain.empty()) {
    // Only a root may sign a CRL shipped without its chain.
    auto it = std::find_if(roots_.begin(), roots_.end(), [&](const auto& r) { return crl->IssuedBy(r); });
    if (it == roots_.end()) return Bad("CRL without chain not signed by a pinned root");
  } else {
    if (!crl->IssuedBy(chain.front())) return Bad("CRL not signed by its chain");
    TEE_TRY(CheckChain(chain));
  }
  if (!crl->next_update()) return Bad("CRL without nextUpdate");
  CollateralDoc d = NewDoc(type_, data);
  d.kind = "crl";
  d.key = crl->issuer_der();
  d.this_update = static_cast<uint64_t>(crl->this_update());
  d.next_update = static_cast<uint64_t>(*crl->next_update());
  return d;
}

Result<CollateralDoc> TestCollateralVerifier::ParseCerts(ByteView data) const {
  auto certs = x509::Certificate::ParseAll(data);
  if (!certs.ok()) return Bad("certificates: " + certs.status().message());
  TEE_TRY(CheckChain(*certs));
  CollateralDoc d = NewDoc(type_, data);
  d.kind = certs->front().is_ca() ? "ca_certs" : "vek";
  int64_t from = 0;
  int64_t until = INT64_MAX;
  for (const auto& c : *certs) {
    from = std::max(from, c.not_before());
    until = std::min(until, c.not_after());
  }
  d.this_update = static_cast<uint64_t>(std::max<int64_t>(from, 0));
  d.next_update = static_cast<uint64_t>(std::max<int64_t>(until, 0));
  d.key = certs->front().issuer_der();
  return d;
}

Result<CollateralDoc> TestCollateralVerifier::ParseCollateral(ByteView data, const CollateralSet& /*known*/,
                                                              uint64_t /*now*/) const {
  std::string_view text = AsText(data);
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return Bad("empty");
  if (text[first] == '{') return ParseJson(data);
  if (text.find("-----BEGIN X509 CRL-----") != std::string_view::npos || x509::Crl::LooksLikeCrl(data)) {
    return ParseCrl(data);
  }
  if (text.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos) return ParseCerts(data);
  return Bad("not collateral this test verifier knows");
}

}  // namespace tenzro::tee::testing
