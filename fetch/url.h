// Base URLs of the collateral services and the percent-decoding of the issuer
// chains Intel PCS sends in response headers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tenzro::tee::fetch {

// "https://host[:port][/prefix]": HTTPS only, no user info, query or fragment.
struct BaseUrl {
  std::string host;     // lower case; IPv6 literals without brackets
  uint16_t port = 443;
  std::string prefix;   // "" or "/path" without a trailing '/'

  // "https://host[:port]" (the port only when not 443).
  std::string Origin() const;
  // The Host header value.
  std::string HostHeader() const;
  bool SameOrigin(const BaseUrl& other) const { return host == other.host && port == other.port; }
};

// kConfig with the reason when `url` is not such a URL.
Result<BaseUrl> ParseBaseUrl(std::string_view url);

// An absolute https URL split into its origin and its target (path + query);
// nullopt when it is not one. Used for redirects.
struct AbsoluteUrl {
  BaseUrl origin;
  std::string target;
};
std::optional<AbsoluteUrl> ParseAbsoluteUrl(std::string_view url);

// %XX decoding. '+' stays '+' (base64 in PEM uses it). nullopt on a bad escape.
std::optional<std::string> PercentDecode(std::string_view s);

}  // namespace tenzro::tee::fetch
