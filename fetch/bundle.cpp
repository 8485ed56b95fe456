#include "fetch/bundle.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "fetch/url.h"

namespace tenzro::tee::fetch {
namespace {

bool IsSpace(uint8_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

ByteView Trim(ByteView b) {
  while (!b.empty() && IsSpace(b.front())) b = b.subspan(1);
  while (!b.empty() && IsSpace(b.back())) b = b.first(b.size() - 1);
  return b;
}

bool Contains(ByteView hay, std::string_view needle) {
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

}  // namespace

Result<std::vector<x509::Certificate>> ParseCertificates(ByteView data, std::string_view what) {
  auto certs = x509::Certificate::ParseAll(data);
  if (!certs.ok() || certs->empty()) {
    return Error(ErrorCode::kCollateral,
                 std::string(what) + ": no certificate" +
                     (certs.ok() ? std::string() : " (" + certs.status().message() + ")"));
  }
  return std::move(certs).value();
}

Result<x509::Crl> ParseCrlBody(ByteView body) {
  ByteView t = Trim(body);
  if (t.empty()) return Error(ErrorCode::kCollateral, "empty CRL body");
  Bytes decoded;
  bool hex = std::all_of(t.begin(), t.end(), [](uint8_t c) { return std::isxdigit(c) != 0; });
  if (hex) {
    auto d = FromHex(std::string_view(reinterpret_cast<const char*>(t.data()), t.size()));
    if (!d) return Error(ErrorCode::kCollateral, "CRL body: bad hex");
    decoded = std::move(*d);
    t = AsView(decoded);
  }
  auto crl = x509::Crl::Parse(t);
  if (!crl.ok()) return Error(ErrorCode::kCollateral, "CRL body: " + crl.status().message());
  return std::move(crl).value();
}

Result<std::vector<x509::Certificate>> IssuerChainHeader(const HttpResponse& r,
                                                        std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) {
    const std::string* v = r.Header(name);
    if (v == nullptr) continue;
    auto pem = PercentDecode(*v);
    if (!pem) return Error(ErrorCode::kCollateral, std::string(name) + ": bad percent-encoding");
    return ParseCertificates(ToBytes(*pem), name);
  }
  return Error(ErrorCode::kCollateral, "missing issuer chain header " + std::string(*names.begin()));
}

Result<Bytes> JsonBundle(ByteView body, const std::vector<x509::Certificate>& chain) {
  ByteView json = Trim(body);
  // The verifier splits the bundle at the first PEM marker.
  if (json.empty() || json.front() != '{' || json.back() != '}' || Contains(json, "-----BEGIN")) {
    return Error(ErrorCode::kCollateral, "body is not a JSON object");
  }
  auto parsed = nlohmann::json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return Error(ErrorCode::kCollateral, "body is not a JSON object");
  }
  Bytes out(json.begin(), json.end());
  out.push_back('\n');
  Bytes pem = CertBundle(chain);
  out.insert(out.end(), pem.begin(), pem.end());
  return out;
}

Bytes CrlBundle(const x509::Crl& crl, const std::vector<x509::Certificate>& chain) {
  if (chain.empty()) return crl.der();
  Bytes out = ToBytes(x509::CrlToPem(crl));
  Bytes pem = CertBundle(chain);
  out.insert(out.end(), pem.begin(), pem.end());
  return out;
}

Bytes CertBundle(const std::vector<x509::Certificate>& certs) { return ToBytes(x509::ToPem(certs)); }

}  // namespace tenzro::tee::fetch
