#pragma once
// The relay address the extension gives in share/join: wss://host[:port][/path] (TLS), or
// ws://... which the host accepts only for loopback hosts (tests, local demo).
#include <string>
#include <string_view>

#include <boost/asio/ip/address.hpp>

#include "common/result.hpp"

namespace cotab::host {

struct relay_url {
  bool tls = true;
  std::string host;    // as written, without IPv6 brackets
  std::string port;    // "443"/"80" when absent
  std::string target;  // path, "/v1" when absent
};

// Errors: bad-relay-url (not ws/wss, no host, userinfo, query or fragment present).
result<relay_url> parse_relay_url(std::string_view text);

// True for 127.0.0.0/8, ::1 and IPv4-mapped loopback.
bool is_loopback(const boost::asio::ip::address& address) noexcept;

}  // namespace cotab::host
