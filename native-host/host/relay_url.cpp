#include "host/relay_url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/src.hpp>  // Boost.URL in header-only mode (this is its one translation unit)

namespace cotab::host {

result<relay_url> parse_relay_url(std::string_view text) {
  auto bad = [](std::string m) { return make_error(errc::bad_relay_url, std::move(m)); };
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return bad("not a URL");
  const auto& u = *parsed;
  relay_url out;
  if (u.scheme_id() == boost::urls::scheme::wss) {
    out.tls = true;
  } else if (u.scheme_id() == boost::urls::scheme::ws) {
    out.tls = false;
  } else {
    return bad("the relay URL must start with wss:// (or ws:// for a loopback relay)");
  }
  if (!u.has_authority() || u.host().empty()) return bad("the relay URL has no host");
  if (u.has_userinfo() || u.has_query() || u.has_fragment()) return bad("the relay URL must not have credentials, a query or a fragment");
  if (u.host_type() == boost::urls::host_type::ipv6) {
    out.host = u.host_ipv6_address().to_string();
  } else {
    out.host = u.host();
  }
  if (u.has_port()) {
    if (u.port_number() == 0) return bad("the relay URL has an invalid port");
    out.port = std::to_string(u.port_number());
  } else {
    out.port = out.tls ? "443" : "80";
  }
  out.target = u.encoded_path().empty() ? "/v1" : std::string(u.encoded_path());
  return out;
}

bool is_loopback(const boost::asio::ip::address& address) noexcept {
  if (address.is_v4()) return address.to_v4().is_loopback();
  auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).is_loopback();
  return v6.is_loopback();
}

}  // namespace cotab::host
