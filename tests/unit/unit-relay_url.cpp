// Relay addresses given by the extension, and the loopback rule for plaintext.
#include <doctest/doctest.h>

#include "host/relay_url.hpp"

using namespace cotab;
namespace ip = boost::asio::ip;

TEST_CASE("relay_url: wss URLs with defaults") {
  auto u = host::parse_relay_url("wss://relay.example.com");
  REQUIRE(u);
  CHECK(u->tls);
  CHECK(u->host == "relay.example.com");
  CHECK(u->port == "443");
  CHECK(u->target == "/v1");
  auto v = host::parse_relay_url("ws://127.0.0.1:8080/v1");
  REQUIRE(v);
  CHECK_FALSE(v->tls);
  CHECK(v->port == "8080");
  auto w = host::parse_relay_url("wss://[::1]:9/x");
  REQUIRE(w);
  CHECK(w->host == "::1");
  CHECK(w->target == "/x");
}

TEST_CASE("relay_url: anything else is bad-relay-url") {
  for (const char* bad : {"", "relay.example.com", "http://relay", "https://relay/v1", "wss://", "wss://user:pw@relay/v1",
                          "wss://relay/v1?x=1", "wss://relay/v1#f", "wss://relay:0/", "javascript:alert(1)"}) {
    CAPTURE(bad);
    auto u = host::parse_relay_url(bad);
    REQUIRE_FALSE(u);
    CHECK(u.err().code == errc::bad_relay_url);
  }
}

TEST_CASE("relay_url: loopback means 127/8, ::1 and v4-mapped loopback only") {
  CHECK(host::is_loopback(ip::make_address("127.0.0.1")));
  CHECK(host::is_loopback(ip::make_address("127.9.8.7")));
  CHECK(host::is_loopback(ip::make_address("::1")));
  CHECK(host::is_loopback(ip::make_address("::ffff:127.0.0.1")));
  CHECK_FALSE(host::is_loopback(ip::make_address("10.0.0.1")));
  CHECK_FALSE(host::is_loopback(ip::make_address("0.0.0.0")));
  CHECK_FALSE(host::is_loopback(ip::make_address("::")));
  CHECK_FALSE(host::is_loopback(ip::make_address("::ffff:10.0.0.1")));
}
