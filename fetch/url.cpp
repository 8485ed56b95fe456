#include "fetch/url.h"

#include <cctype>

namespace tenzro::tee::fetch {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool HostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.';
}

// Splits "host[:port]" (or "[v6]:port"); false on a malformed authority.
bool ParseAuthority(std::string_view auth, BaseUrl& out) {
  if (auth.empty() || auth.find('@') != std::string_view::npos) return false;
  std::string_view host;
  std::string_view rest;
  if (auth.front() == '[') {
    size_t close = auth.find(']');
    if (close == std::string_view::npos || close < 2) return false;
    host = auth.substr(1, close - 1);
    for (char c : host) {
      if (HexDigit(c) < 0 && c != ':' && c != '.') return false;
    }
    rest = auth.substr(close + 1);
  } else {
    size_t colon = auth.find(':');
    host = auth.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view() : auth.substr(colon);
    if (host.empty()) return false;
    for (char c : host) {
      if (!HostChar(c)) return false;
    }
  }
  out.host.clear();
  for (char c : host) out.host.push_back(Lower(c));
  out.port = 443;
  if (!rest.empty()) {
    if (rest.front() != ':' || rest.size() < 2 || rest.size() > 6) return false;
    uint32_t port = 0;
    for (char c : rest.substr(1)) {
      if (c < '0' || c > '9') return false;
      port = port * 10 + static_cast<uint32_t>(c - '0');
    }
    if (port == 0 || port > 65535) return false;
    out.port = static_cast<uint16_t>(port);
  }
  return true;
}

constexpr std::string_view kScheme = "https://";

bool StartsWithHttps(std::string_view url) {
  if (url.size() < kScheme.size()) return false;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (Lower(url[i]) != kScheme[i]) return false;
  }
  return true;
}

}  // namespace

std::string BaseUrl::Origin() const { return "https://" + HostHeader(); }

std::string BaseUrl::HostHeader() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != 443) h += ":" + std::to_string(port);
  return h;
}

Result<BaseUrl> ParseBaseUrl(std::string_view url) {
  auto bad = [&](const std::string& why) {
    return Error(ErrorCode::kConfig, "\"" + std::string(url) + "\": " + why);
  };
  if (!StartsWithHttps(url)) return bad("must be an https:// URL");
  std::string_view rest = url.substr(kScheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos) return bad("no query or fragment allowed");
  size_t slash = rest.find('/');
  BaseUrl out;
  if (!ParseAuthority(rest.substr(0, slash), out)) return bad("bad host or port");
  if (slash != std::string_view::npos) {
    std::string_view path = rest.substr(slash);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    for (char c : path) {
      if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
        return bad("bad character in the path");
      }
    }
    out.prefix = std::string(path);
  }
  return out;
}

std::optional<AbsoluteUrl> ParseAbsoluteUrl(std::string_view url) {
  if (!StartsWithHttps(url)) return std::nullopt;
  std::string_view rest = url.substr(kScheme.size());
  size_t end = rest.find_first_of("/?#");
  AbsoluteUrl out;
  if (!ParseAuthority(rest.substr(0, end), out.origin)) return std::nullopt;
  std::string_view target = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  target = target.substr(0, target.find('#'));
  out.target = target.empty() || target.front() != '/' ? "/" + std::string(target) : std::string(target);
  return out;
}

std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = HexDigit(s[i + 1]);
    int lo = HexDigit(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

}  // namespace tenzro::tee::fetch
