#include "http/http_config.h"

#include <charconv>

#include <boost/asio/ip/address.hpp>

namespace tenzro::tee::http {

Result<ListenAddress> ParseListen(const std::string& listen) {
  auto bad = [&](const std::string& why) {
    return Error(ErrorCode::kConfig, "tee.http.listen: " + why + ", got \"" + listen + "\"");
  };
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size())
    return bad("expected \"address:port\"");
  std::string host = listen.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return bad("unbalanced brackets");
    host = host.substr(1, host.size() - 2);
  }
  const std::string port_text = listen.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535)
    return bad("port must be a number in [0, 65535]");
  boost::system::error_code aec;
  const auto addr = boost::asio::ip::make_address(host, aec);
  if (aec) return bad("address must be an IP literal (no host names)");
  if (addr.is_v6() && listen.front() != '[') return bad("write IPv6 addresses as [addr]:port");
  ListenAddress out;
  out.host = host;
  out.port = static_cast<uint16_t>(port);
  out.loopback = addr.is_loopback();
  return out;
}

Status ValidateHttpConfig(const HttpConfig& c) {
  if (!c.enabled()) return Status::Ok();
  TEE_ASSIGN_OR_RETURN(ListenAddress a, ParseListen(c.listen));
  if (!a.loopback && !c.allow_remote) {
    return Error(ErrorCode::kConfig, "tee.http.listen: " + c.listen +
                                         " is not a loopback address: set tee.http.allow_remote "
                                         "= true to expose the API (and consider bearer_token)");
  }
  return Status::Ok();
}

}  // namespace tenzro::tee::http
